#!/usr/bin/env bash
# Test certificates for the TLS tests, made with the openssl command line into OUTDIR
# (default build/certs). Quick no-op when OUTDIR already holds a complete, current set.
#
#   ca.pem                 the test CA (trusted certificates file); cadir/ the same CA as a
#                          hashed directory (trusted certificates directory)
#   server.pem server.key  server cert for 127.0.0.1 and localhost (CN, DNS and IP names)
#   server-enc.key         the same key encrypted with the password in key-password.txt
#   wrong.pem wrong.key    a server cert from the CA, for wrong.example only (wrong name)
#   rogue.pem rogue.key    a server cert for 127.0.0.1/localhost from another CA (untrusted)
#   client.pem client.key  a client cert from the CA (CN=test-client)
#   client-enc.key         the client key encrypted with the password in key-password.txt
#   client-both.pem        client cert and key in one file
# All certificates are RSA 2048, SHA-256, valid for 10 years.
# Several test suites may ask at once: the set is made in a scratch directory and renamed
# into place.
set -euo pipefail
out=${1:-build/certs}
password=tls-test-pw
version=3 # bump when the set changes
current() { [ -f "$out/VERSION" ] && [ "$(cat "$out/VERSION")" = "$version" ]; }
current && exit 0
command -v openssl >/dev/null || { echo "gen-test-certs: the openssl command is missing (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
scratch=$(mktemp -d "$out.tmp.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
q() { "$@" >/dev/null 2>&1 || { echo "gen-test-certs: failed: $*" >&2; "$@"; exit 1; }; }

ca() { # NAME SUBJECT
  q openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "$2" \
    -keyout "$1.key" -out "$1.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
leaf() { # NAME SUBJECT CA EXT-LINES
  q openssl req -newkey rsa:2048 -nodes -sha256 -subj "$2" -keyout "$1.key" -out "$1.csr"
  printf '%s\n' "$4" >"$1.cnf"
  q openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 3650 \
    -sha256 -extfile "$1.cnf" -out "$1.pem"
  rm -f "$1.csr" "$1.cnf"
}
server_ext='basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:127.0.0.1'
client_ext='basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'

ca ca "/O=qpid-proton-rs tests/CN=Test CA"
ca rogue-ca "/O=Someone else/CN=Rogue CA"
leaf server "/O=qpid-proton-rs tests/CN=127.0.0.1" ca "$server_ext"
leaf wrong "/O=qpid-proton-rs tests/CN=wrong.example" ca 'basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
subjectAltName=DNS:wrong.example'
leaf rogue "/O=Someone else/CN=127.0.0.1" rogue-ca "$server_ext"
leaf client "/O=qpid-proton-rs tests/CN=test-client" ca "$client_ext"
printf '%s' "$password" >key-password.txt
q openssl pkey -in server.key -aes256 -passout "pass:$password" -out server-enc.key
q openssl pkey -in client.key -aes256 -passout "pass:$password" -out client-enc.key
cat client.pem client.key >client-both.pem
mkdir cadir
cp ca.pem cadir/
q openssl rehash cadir
rm -f rogue-ca.key ./*.srl
chmod 600 ./*.key
echo "$version" >VERSION
chmod 755 "$scratch"
cd /
current && exit 0 # another run finished first
if [ -e "$out" ]; then # an old set: out of the way in one rename, then removed
  aside=$(mktemp -d "$out.old.XXXXXX")
  mv -T "$out" "$aside/set" 2>/dev/null || true
  rm -rf "$aside"
fi
mv -T "$scratch" "$out" 2>/dev/null || current
