#!/usr/bin/env bash
# Authenticode-signs one Windows binary in place with osslsigncode. GoReleaser
# runs it as a build post-hook for every target (before archiving, so the
# .exe inside the zip is the signed one); it does nothing unless this is a
# Windows binary AND the release job asked for signing:
#
#   PIMENTO_SIGN=1                       turn signing on (real release job only)
#   PIMENTO_SIGN_PKCS12=/path/cert.pfx   code-signing certificate and key
#   PIMENTO_SIGN_PASSWORD_FILE=/path     file holding the .pfx password (optional)
#   PIMENTO_SIGN_TSA=https://...         RFC 3161 timestamp server (optional;
#                                        without it the signature expires with
#                                        the certificate)
#
# Usage: scripts/sign-windows.sh GOOS PATH
set -euo pipefail

goos=${1:?usage: sign-windows.sh GOOS PATH}
bin=${2:?usage: sign-windows.sh GOOS PATH}

[ "$goos" = windows ] || exit 0
if [ "${PIMENTO_SIGN:-}" != 1 ]; then
  echo "sign-windows: PIMENTO_SIGN is not 1; leaving $bin unsigned"
  exit 0
fi

: "${PIMENTO_SIGN_PKCS12:?PIMENTO_SIGN=1 needs PIMENTO_SIGN_PKCS12 (a .pfx file)}"
command -v osslsigncode >/dev/null || { echo "sign-windows: osslsigncode not installed" >&2; exit 1; }

args=(sign -pkcs12 "$PIMENTO_SIGN_PKCS12" -h sha256
  -n pimento -i https://github.com/pimento-cli/pimento)
if [ -n "${PIMENTO_SIGN_PASSWORD_FILE:-}" ]; then
  args+=(-readpass "$PIMENTO_SIGN_PASSWORD_FILE")
fi
if [ -n "${PIMENTO_SIGN_TSA:-}" ]; then
  args+=(-ts "$PIMENTO_SIGN_TSA")
fi

signed="$bin.signed"
rm -f "$signed"
osslsigncode "${args[@]}" -in "$bin" -out "$signed"
mv -f "$signed" "$bin"
# Checks the signature is there and well-formed; an untrusted test
# certificate still fails chain verification, so that is not required here.
osslsigncode extract-signature -in "$bin" -out "$signed.p7" >/dev/null
rm -f "$signed.p7"
echo "sign-windows: signed $bin"
