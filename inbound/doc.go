// Package inbound turns messages from outside into complaints of the
// Media Center: e-mail (a raw RFC 5322 message from a webhook, or polled
// from an IMAP mailbox), and the signed webhook of chat and social-media
// bridges. SMS arrive through the HTTP API (ui) as JSON and need no parser.
//
// A message that cannot become a complaint is quarantined with the reason
// (callcenter.Service.Quarantine): never dropped silently.
package inbound
