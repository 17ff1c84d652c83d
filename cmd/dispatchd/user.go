package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"cc112/auth"
	"cc112/bolt"
)

const userUsage = `usage:
  dispatchd user add -username NAME -role ROLE [-unit UNIT_ID] [-agency CODE] [-state DIR]
  dispatchd user passwd -username NAME [-state DIR]
  dispatchd user list [-state DIR]
The password is read from the first line of standard input, e.g.
  printf '%s\n' "$PASSWORD" | dispatchd user add -username budi -role dispatcher
Roles: calltaker, dispatcher (with -agency: a desk that controls that agency's units only),
unit (needs -unit), agency (needs -agency), police, supervisor, admin.
The server must be stopped: it holds the state folder's lock (use the admin API
POST /api/v1/users while it runs). It manages the embedded journal only: with
PostgreSQL (DATABASE_URL) use the running leader's admin API.
`

// runUser manages accounts in the state folder's journal, the same one the
// server replays, so every change is journaled and audited like the API's.
func runUser(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return &usageError{errors.New("dispatchd user needs a command: add, passwd or list"), userUsage}
	}
	cmd := args[0]
	if cmd == "-h" || cmd == "-help" || cmd == "--help" {
		_, err := io.WriteString(stdout, userUsage)
		return err
	}
	fs := flag.NewFlagSet("dispatchd user "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // exitStatus prints the error and the usage
	state := fs.String("state", "./state", "folder of the embedded journal (env DISPATCH_STATE)")
	var n auth.NewUser
	fs.StringVar(&n.Username, "username", "", "the user's login name")
	role := fs.String("role", "", "the user's role (add)")
	fs.StringVar(&n.UnitID, "unit", "", "the unit a unit user reports for (add)")
	fs.StringVar(&n.Agency, "agency", "", "the agency code of an agency user, or of an agency-bound dispatcher (add)")
	if err := applyEnv(fs); err != nil {
		return err
	}
	switch cmd {
	case "add", "passwd", "list":
	default:
		return &usageError{fmt.Errorf("unknown user command %q", cmd), userUsage}
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := io.WriteString(stdout, userUsage)
			return err
		}
		return &usageError{err, userUsage}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Errorf("unknown argument %q", fs.Arg(0)), userUsage}
	}
	if os.Getenv("DATABASE_URL") != "" {
		// Only the leader writes to a shared database; a second writer
		// here would race it. The admin API goes through the leader.
		return errors.New("dispatchd user manages the embedded journal (-state) only; with PostgreSQL (DATABASE_URL is set) " +
			"use the running leader's admin API: POST /api/v1/users, POST /api/v1/users/{username}/password, GET /api/v1/users " +
			"(unset DATABASE_URL to manage a -state folder)")
	}
	m := NewMain()
	m.Store.StateDir = *state
	m.Logger = slog.New(slog.DiscardHandler)
	ctx := context.Background()
	if err := m.openState(ctx, nil); err != nil {
		if errors.Is(err, bolt.ErrInUse) {
			return fmt.Errorf("the state folder %s is in use: a dispatchd server holds its lock. Stop it first, "+
				"or manage users through the running server's admin API (POST /api/v1/users)", *state)
		}
		return err
	}
	defer func() { _ = m.Close(ctx) }()
	cli := auth.Principal{Username: "cli", Role: auth.Admin}
	switch cmd {
	case "list":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tUNIT\tAGENCY\tUPDATED")
		for _, u := range m.Auth.Users() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, u.UnitID, u.Agency, u.UpdatedAt.Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	case "add":
		r, err := auth.ParseRole(*role)
		if err != nil {
			return err
		}
		n.Role = r
		if n.Password, err = readPassword(stdin); err != nil {
			return err
		}
		if _, err := m.Auth.AddUser(ctx, n, "", "", cli, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s added (%s)\n", n.Username, n.Role)
	case "passwd":
		pw, err := readPassword(stdin)
		if err != nil {
			return err
		}
		if err := m.Auth.SetPassword(ctx, n.Username, pw, cli, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s changed; its sessions are ended\n", n.Username)
	}
	return nil
}

func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("give the password on the first line of standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
