#!/bin/sh
# Runs in the server container: creates the web root and a ticket that is
# different in every session, so it can only be learned over the network.
set -eu
mkdir -p /srv/www
if [ ! -s /srv/www/ticket.txt ]; then
  python3 -c 'import secrets; print("ticket-" + secrets.token_hex(4))' > /srv/www/ticket.txt
fi
