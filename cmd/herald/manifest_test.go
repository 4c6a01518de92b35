package main

import (
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/herald-comms/herald/bot"
)

// manifest is the part of a Slack app manifest Herald depends on.
type manifest struct {
	DisplayInformation struct {
		Name string `yaml:"name"`
	} `yaml:"display_information"`
	Features struct {
		BotUser struct {
			DisplayName string `yaml:"display_name"`
		} `yaml:"bot_user"`
		SlashCommands []struct {
			Command     string `yaml:"command"`
			Description string `yaml:"description"`
			UsageHint   string `yaml:"usage_hint"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuth struct {
		Scopes struct {
			Bot  []string `yaml:"bot"`
			User []string `yaml:"user"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			BotEvents []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			IsEnabled bool `yaml:"is_enabled"`
		} `yaml:"interactivity"`
		SocketMode bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

func readManifest(t *testing.T) manifest {
	t.Helper()
	data, err := os.ReadFile("../../manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest.yaml does not parse: %v", err)
	}
	return m
}

func TestManifest(t *testing.T) {
	m := readManifest(t)
	if !m.Settings.SocketMode || !m.Settings.Interactivity.IsEnabled {
		t.Errorf("socket mode %v, interactivity %v; want both on", m.Settings.SocketMode, m.Settings.Interactivity.IsEnabled)
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/incident" || m.Features.SlashCommands[0].UsageHint == "" {
		t.Errorf("slash commands = %+v; want /incident with a usage hint", m.Features.SlashCommands)
	}
	if len(m.DisplayInformation.Name) == 0 || len(m.DisplayInformation.Name) > 35 || len(m.Features.BotUser.DisplayName) > 80 {
		t.Errorf("display name %q / bot name %q out of Slack's bounds", m.DisplayInformation.Name, m.Features.BotUser.DisplayName)
	}
	if len(m.Features.SlashCommands) > 0 && len(m.Features.SlashCommands[0].Description) > 100 {
		t.Errorf("command description is longer than Slack's 100 characters")
	}
	if len(m.OAuth.Scopes.User) > 0 {
		t.Errorf("user scopes %v requested; Herald needs only bot scopes", m.OAuth.Scopes.User)
	}
	needed := []string{"commands", "chat:write", "channels:manage", "channels:join", "channels:read", "channels:history",
		"groups:read", "groups:history", "pins:read", "pins:write", "users:read", "users:read.email", "usergroups:read", "im:write"}
	for _, s := range needed {
		if !slices.Contains(m.OAuth.Scopes.Bot, s) {
			t.Errorf("bot scope %s missing", s)
		}
	}
	for _, s := range m.OAuth.Scopes.Bot {
		if !slices.Contains(needed, s) {
			t.Errorf("bot scope %s is requested but Herald does not use it", s)
		}
	}
}

// TestManifestMatchesRouter checks that every slash command and event the
// bot routes is declared in manifest.yaml, and nothing else is.
func TestManifestMatchesRouter(t *testing.T) {
	m := readManifest(t)
	var cmds []string
	for _, c := range m.Features.SlashCommands {
		cmds = append(cmds, c.Command)
	}
	if got, want := slices.Sorted(slices.Values(cmds)), slices.Sorted(slices.Values(bot.SlashCommands())); !slices.Equal(got, want) {
		t.Errorf("manifest commands %v; router handles %v", got, want)
	}
	if got, want := slices.Sorted(slices.Values(m.Settings.EventSubscriptions.BotEvents)), slices.Sorted(slices.Values(bot.BotEvents())); !slices.Equal(got, want) {
		t.Errorf("manifest bot events %v; router handles %v", got, want)
	}
}
