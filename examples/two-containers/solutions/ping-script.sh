#!/bin/sh
# Reference solution for ping-script (runs in the client container).
set -eu
cat > /root/ping-server.sh <<'EOF'
#!/bin/bash
# Is the API server up? Reads API_HOST and API_PORT from the environment.
host=${API_HOST:-server}
port=${API_PORT:-8080}

if timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
  echo "server is up ($host:$port)"
else
  echo "server is down ($host:$port)"
  exit 1
fi
EOF
chmod 755 /root/ping-server.sh
