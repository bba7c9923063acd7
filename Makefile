# Sotto — build, install and test.
#
#   make                      build release binaries into .build/static/release (as yourself)
#   sudo make install         system service: binaries in $(PREFIX)/bin, units, sysusers, config
#   make install-user         user service, no root: ~/.local/bin and ~/.config/systemd/user
#   make test                 run the test suite (Scripts/test)
#   sudo make uninstall       remove what `make install` put in place (keeps data and config)
#   make uninstall-user       remove what `make install-user` put in place (keeps data and config)
#
# Packagers: `make install DESTDIR=/tmp/stage PREFIX=/usr` stages the files and runs nothing.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
DOCDIR      ?= $(PREFIX)/share/doc/sotto
# Fixed: the system unit's ConfigurationDirectory=sotto is always /etc/sotto.
SYSCONFDIR  := /etc
SYSTEMUNITDIR ?= /etc/systemd/system
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
SYSUSERSDIR ?= /usr/lib/sysusers.d

# Where `make install-user` puts things.
USER_BINDIR      ?= $(HOME)/.local/bin
USER_DOCDIR      ?= $(HOME)/.local/share/doc/sotto
USER_CONFIGDIR   ?= $(if $(XDG_CONFIG_HOME),$(XDG_CONFIG_HOME),$(HOME)/.config)
USER_UNITDIR     ?= $(USER_CONFIGDIR)/systemd/user

SWIFT       ?= swift
# A build of its own: the Swift runtime is linked in (--static-swift-stdlib), so the installed
# binaries need no toolchain on the target and carry no RUNPATH into one; objects compiled for a
# dynamically linked build (Scripts/demo's, in .build/release) would not link that way.
SCRATCH     ?= .build/static
BUILDDIR    ?= $(SCRATCH)/release
INSTALL     ?= install

BINARIES    := sottod sotto
DOCS        := README.md docs/SECURITY.md

# The units in the repository name /usr/local; rewrite them for the chosen locations.
# $(1): bin directory, $(2): doc directory.
unit_paths = sed -e 's|/usr/local/bin/|$(1)/|g' -e 's|/usr/local/share/doc/sotto/|$(2)/|g'

.PHONY: all build check-built install install-user uninstall uninstall-user test clean

all: build

build:
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path $(SCRATCH)

# Installing never builds: a build run by root would leave root-owned files in .build.
check-built:
	@for b in $(BINARIES); do \
	  if [ ! -x "$(BUILDDIR)/$$b" ]; then \
	    echo "error: $(BUILDDIR)/$$b is missing; run 'make build' first (as yourself, not root)." >&2; \
	    exit 1; \
	  fi; \
	done

install: check-built
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)"
	$(INSTALL) -m 0755 $(addprefix $(BUILDDIR)/,$(BINARIES)) "$(DESTDIR)$(BINDIR)/"
	$(INSTALL) -d "$(DESTDIR)$(SYSCONFDIR)/sotto"
	@# An edited configuration is never overwritten.
	@if [ -e "$(DESTDIR)$(SYSCONFDIR)/sotto/sottod.toml" ]; then \
	  echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/sotto/sottod.toml"; \
	else \
	  echo "$(INSTALL) -m 0644 etc/sotto/sottod.toml $(DESTDIR)$(SYSCONFDIR)/sotto/sottod.toml"; \
	  $(INSTALL) -m 0644 etc/sotto/sottod.toml "$(DESTDIR)$(SYSCONFDIR)/sotto/sottod.toml"; \
	fi
	$(INSTALL) -d "$(DESTDIR)$(SYSTEMUNITDIR)" "$(DESTDIR)$(USERUNITDIR)" "$(DESTDIR)$(SYSUSERSDIR)"
	$(call unit_paths,$(BINDIR),$(DOCDIR)) systemd/sottod.service > "$(DESTDIR)$(SYSTEMUNITDIR)/sottod.service"
	$(call unit_paths,$(BINDIR),$(DOCDIR)) systemd/sottod-user.service > "$(DESTDIR)$(USERUNITDIR)/sottod.service"
	chmod 0644 "$(DESTDIR)$(SYSTEMUNITDIR)/sottod.service" "$(DESTDIR)$(USERUNITDIR)/sottod.service"
	$(INSTALL) -m 0644 systemd/sotto.sysusers "$(DESTDIR)$(SYSUSERSDIR)/sotto.conf"
	$(INSTALL) -d "$(DESTDIR)$(DOCDIR)"
	@for d in $(DOCS); do [ ! -f "$$d" ] || $(INSTALL) -m 0644 "$$d" "$(DESTDIR)$(DOCDIR)/"; done
	@# Create the sotto user and group now, on a live system only (a staged package does it later).
	@if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null 2>&1; then \
	  echo "systemd-sysusers $(SYSUSERSDIR)/sotto.conf"; \
	  systemd-sysusers "$(SYSUSERSDIR)/sotto.conf"; \
	fi
	@echo
	@echo "Installed. Next, as root, for the system service (socket /run/sotto/sotto.sock):"
	@echo "  Scripts/fetch-models all --system    # the models, into /var/lib/sotto/models, before starting it"
	@echo "  systemctl daemon-reload && systemctl enable --now sottod"
	@echo "  usermod -aG sotto $${SUDO_USER:-YOUR_USER}    # then log in again to use 'sotto'"
	@echo "  (edit $(SYSCONFDIR)/sotto/sottod.toml to choose the folders to index)"
	@echo "Or, as yourself, for a per-user service (socket \$$XDG_RUNTIME_DIR/sotto/sotto.sock):"
	@echo "  Scripts/fetch-models all"
	@echo "  systemctl --user daemon-reload && systemctl --user enable --now sottod"

install-user: check-built
	$(INSTALL) -d "$(USER_BINDIR)" "$(USER_UNITDIR)" "$(USER_CONFIGDIR)/sotto" "$(USER_DOCDIR)"
	$(INSTALL) -m 0755 $(addprefix $(BUILDDIR)/,$(BINARIES)) "$(USER_BINDIR)/"
	$(call unit_paths,$(USER_BINDIR),$(USER_DOCDIR)) systemd/sottod-user.service > "$(USER_UNITDIR)/sottod.service"
	chmod 0644 "$(USER_UNITDIR)/sottod.service"
	@if [ -e "$(USER_CONFIGDIR)/sotto/sottod.toml" ]; then \
	  echo "keeping existing $(USER_CONFIGDIR)/sotto/sottod.toml"; \
	else \
	  echo "$(INSTALL) -m 0600 etc/sotto/sottod.toml $(USER_CONFIGDIR)/sotto/sottod.toml"; \
	  $(INSTALL) -m 0600 etc/sotto/sottod.toml "$(USER_CONFIGDIR)/sotto/sottod.toml"; \
	fi
	@for d in $(DOCS); do [ ! -f "$$d" ] || $(INSTALL) -m 0644 "$$d" "$(USER_DOCDIR)/"; done
	@echo
	@echo "Installed for $${USER:-you}. Next:"
	@echo "  Scripts/fetch-models all    # the models, into ~/.local/share/sotto/models"
	@echo "  systemctl --user daemon-reload && systemctl --user enable --now sottod"
	@echo "  (edit $(USER_CONFIGDIR)/sotto/sottod.toml to choose the folders to index;"
	@echo "   make sure $(USER_BINDIR) is on your PATH to run 'sotto')"

uninstall:
	@# Stop the service first, on a live system only.
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then \
	  echo "systemctl disable --now sottod.service"; \
	  systemctl disable --now sottod.service 2>/dev/null || true; \
	fi
	rm -f $(addprefix "$(DESTDIR)$(BINDIR)/,$(addsuffix ",$(BINARIES)))
	rm -f "$(DESTDIR)$(SYSTEMUNITDIR)/sottod.service" "$(DESTDIR)$(USERUNITDIR)/sottod.service"
	rm -f "$(DESTDIR)$(SYSUSERSDIR)/sotto.conf"
	rm -rf "$(DESTDIR)$(DOCDIR)"
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then \
	  systemctl daemon-reload || true; \
	fi
	@echo
	@echo "Kept (they hold your configuration and the index of your documents):"
	@echo "  $(SYSCONFDIR)/sotto/   /var/lib/sotto/   and the user 'sotto'"
	@echo "Remove them with: rm -rf $(SYSCONFDIR)/sotto /var/lib/sotto && userdel sotto"
	@echo "Users who ran the user service: systemctl --user disable --now sottod; rm -rf ~/.local/share/sotto"

uninstall-user:
	@if command -v systemctl >/dev/null 2>&1 && systemctl --user show-environment >/dev/null 2>&1; then \
	  echo "systemctl --user disable --now sottod.service"; \
	  systemctl --user disable --now sottod.service 2>/dev/null || true; \
	  rm -f "$(USER_UNITDIR)/sottod.service"; \
	  systemctl --user daemon-reload || true; \
	else \
	  rm -f "$(USER_UNITDIR)/sottod.service"; \
	fi
	rm -f $(addprefix "$(USER_BINDIR)/,$(addsuffix ",$(BINARIES)))
	rm -rf "$(USER_DOCDIR)"
	@echo
	@echo "Kept: $(USER_CONFIGDIR)/sotto/ and ~/.local/share/sotto/ (the index of your documents)."
	@echo "Remove them with: rm -rf $(USER_CONFIGDIR)/sotto ~/.local/share/sotto"

test:
	Scripts/test

clean:
	$(SWIFT) package clean
