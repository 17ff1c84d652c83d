// Alert sounds, made by WebAudio oscillators (no audio files): one pattern
// per severity, repeated at its own pace while an alert of it waits for an
// acknowledgement, and a rising chime for a new priority 1 incident.
// Browsers start audio only after a user gesture (autoplay rules), so the
// context is created, or resumed, on the first click or key press.

import { catalog } from './catalog.js';

// notes are [frequency Hz (0: a rest), seconds].
const PATTERNS = {
  critical: { every: 2500, type: 'square', gain: 0.16, notes: [[988, 0.14], [740, 0.14], [988, 0.14], [740, 0.14]] },
  warning: { every: 6000, type: 'triangle', gain: 0.3, notes: [[660, 0.18], [0, 0.1], [660, 0.18]] },
  info: { every: 20000, type: 'sine', gain: 0.3, notes: [[523, 0.3]] },
  newP1: { type: 'sine', gain: 0.35, notes: [[784, 0.12], [988, 0.12], [1319, 0.3]] },
};

export class AlertSound {
  constructor(onState) {
    this.ctx = null;
    this.last = {};
    this.onState = onState || (() => {});
    /** played records every sound asked for (the tests read it): {name, at, audible}. */
    this.played = [];
    const unlock = () => this.unlock();
    document.addEventListener('pointerdown', unlock, true);
    document.addEventListener('keydown', unlock, true);
  }

  get on() { return !!this.ctx && this.ctx.state === 'running'; }

  unlock() {
    if (this.on) return;
    try {
      if (!this.ctx) {
        this.ctx = new AudioContext();
        this.ctx.addEventListener('statechange', () => this.onState(this.on));
      }
      if (this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
    } catch (err) {
      console.warn('alert sound', err);
    }
  }

  /** play sounds pattern name once; false when audio is not allowed yet. */
  play(name) {
    const p = PATTERNS[name];
    const audible = this.on;
    this.played.push({ name, at: Date.now(), audible });
    if (this.played.length > 200) this.played.splice(0, 100);
    if (!audible) return false;
    let at = this.ctx.currentTime + 0.02;
    for (const [freq, secs] of p.notes) {
      if (freq) {
        const osc = this.ctx.createOscillator();
        const gain = this.ctx.createGain();
        osc.type = p.type;
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(p.gain, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + secs);
        osc.connect(gain).connect(this.ctx.destination);
        osc.start(at);
        osc.stop(at + secs);
      }
      at += secs;
    }
    return true;
  }

  /** tick sounds the loudest of the severities still waiting, at its pace. */
  tick(waiting) {
    const now = Date.now();
    for (const sev of catalog.alert_severities) { // loudest first
      if (!waiting.has(sev)) continue;
      if (now - (this.last[sev] || 0) >= PATTERNS[sev].every) {
        this.last[sev] = now;
        this.play(sev);
      }
      return;
    }
  }
}
