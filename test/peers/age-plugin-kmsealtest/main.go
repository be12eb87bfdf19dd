// age-plugin-kmsealtest: a minimal age plugin for kmseal's peer tests, written with the age
// project's plugin framework. Its recipient is an X25519 public key and its identity the matching
// scalar, but its stanzas carry the type "kmsealtest", so only this plugin (never a native X25519
// identity) can open what it wraps: a test that passes proves the plugin protocol ran.
//
//	age-plugin-kmsealtest --generate   prints an identity line and its recipient line
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"filippo.io/age"
	"filippo.io/age/plugin"
)

const name = "kmsealtest"

type recipient struct{ inner *age.X25519Recipient }

func (r recipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	stanzas, err := r.inner.Wrap(fileKey)
	if err != nil {
		return nil, err
	}
	for _, s := range stanzas {
		s.Type = name
	}
	return stanzas, nil
}

type identity struct {
	inner *age.X25519Identity
	p     *plugin.Plugin
}

// With KMSEALTEST_PIN set, unwrapping first shows a message and asks for that PIN, as a hardware
// key's plugin does, so the client's prompts are tested too.
func (i identity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	if pin := os.Getenv("KMSEALTEST_PIN"); pin != "" {
		if err := i.p.DisplayMessage("touch the test key"); err != nil {
			return nil, err
		}
		got, err := i.p.RequestValue("PIN for the test key:", true)
		if err != nil {
			return nil, err
		}
		if got != pin {
			return nil, errors.New("wrong PIN")
		}
	}
	var mine []*age.Stanza
	for _, s := range stanzas {
		if s.Type == name {
			mine = append(mine, &age.Stanza{Type: "X25519", Args: s.Args, Body: s.Body})
		}
	}
	if len(mine) == 0 {
		return nil, age.ErrIncorrectIdentity
	}
	return i.inner.Unwrap(mine)
}

// A recipient's data is the text of a native X25519 recipient, an identity's the text of a native
// X25519 identity: age's own parsers check them, and the plugin stays free of key encoding code.
func parseIdentity(data []byte) (*age.X25519Identity, error) {
	return age.ParseX25519Identity(string(data))
}

func parseRecipient(data []byte) (*age.X25519Recipient, error) {
	return age.ParseX25519Recipient(string(data))
}

func main() {
	p, err := plugin.New(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	generate := flag.Bool("generate", false, "print a new identity and its recipient")
	p.RegisterFlags(nil)
	flag.Parse()
	if *generate {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(plugin.EncodeIdentity(name, []byte(id.String())))
		fmt.Println(plugin.EncodeRecipient(name, []byte(id.Recipient().String())))
		return
	}
	p.HandleRecipient(func(data []byte) (age.Recipient, error) {
		r, err := parseRecipient(data)
		if err != nil {
			return nil, err
		}
		return recipient{r}, nil
	})
	p.HandleIdentityAsRecipient(func(data []byte) (age.Recipient, error) {
		id, err := parseIdentity(data)
		if err != nil {
			return nil, err
		}
		return recipient{id.Recipient()}, nil
	})
	p.HandleIdentity(func(data []byte) (age.Identity, error) {
		id, err := parseIdentity(data)
		if err != nil {
			return nil, err
		}
		return identity{id, p}, nil
	})
	os.Exit(p.Main())
}
