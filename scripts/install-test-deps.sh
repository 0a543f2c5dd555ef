#!/usr/bin/env bash
# Installs the system programs the tests talk to: Debian's mosh (real mosh-server/mosh-client),
# OpenSSH's sshd and ssh-agent, and tmux (TUI tests). Uses sudo when not root.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v mosh-server >/dev/null || ! command -v tmux >/dev/null || ! [ -x /usr/sbin/sshd ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq mosh openssh-server openssh-client tmux >/dev/null
fi
echo "test dependencies: $(mosh-server --version 2>&1 | head -1); $(tmux -V); $(/usr/sbin/sshd -V 2>&1 | head -1)"
