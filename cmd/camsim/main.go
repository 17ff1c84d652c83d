// Command camsim runs synthetic RTSP cameras on loopback for the demo and
// for load tests: /cam/1 … /cam/N stream a looped H.264 clip (testsrc2,
// encoded once at start-up with Debian's ffmpeg, a keyframe every second);
// /frozen/K answer RTSP but send no frame; /h265/K announce H.265.
//
//	camsim -addr 127.0.0.1:8554 -n 8
//	dispatchd -demo -camsim 127.0.0.1:8554 -camsim-cameras 8
//
// GET http://STATUS/ answers the playing sessions per path as JSON.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"cc112/cctv/camsim"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "camsim:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("camsim", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8554", "RTSP listen address")
	n := fs.Int("n", 8, "number of cameras (/cam/1 … /cam/N)")
	udp := fs.Bool("udp", false, "also offer the UDP transport")
	size := fs.String("size", "320x240", "clip size WxH")
	fps := fs.Int("fps", 25, "frames per second (one keyframe per second)")
	status := fs.String("status", "127.0.0.1:0", "HTTP address of the session counts; empty disables")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var w, h int
	if _, err := fmt.Sscanf(*size, "%dx%d", &w, &h); err != nil || w < 16 || h < 16 {
		return fmt.Errorf("-size must be WxH, like 320x240")
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := os.MkdirTemp("", "camsim")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	clip, err := camsim.MakeClip(ctx, dir, camsim.ClipOptions{Width: w, Height: h, FPS: *fps})
	if err != nil {
		return err
	}
	srv, err := camsim.Start(camsim.Config{Cameras: *n, Addr: *addr, UDP: *udp, Clip: clip, Logger: log})
	if err != nil {
		return err
	}
	defer srv.Close()
	if *status != "" {
		ln, err := net.Listen("tcp", *status)
		if err != nil {
			return err
		}
		hs := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(srv.Counts())
		})}
		go func() { _ = hs.Serve(ln) }()
		defer hs.Close()
		log.Info("session counts", "url", "http://"+ln.Addr().String()+"/")
	}
	log.Info("camsim ready", "rtsp", "rtsp://"+srv.Addr()+"/cam/1", "cameras", *n, "frames", len(clip.Frames))
	<-ctx.Done()
	return nil
}
