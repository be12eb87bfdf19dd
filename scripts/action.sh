#!/usr/bin/env bash
# The steps of action.yml (kept here so they can be read, linted and tested as one script).
# Inputs arrive as KMSEAL_ACTION_* environment variables, never spliced into the script text, so a
# file name or command line cannot inject shell code.
set -euo pipefail

say() { echo "kmseal action: $*" >&2; }
: "${GITHUB_ACTION_PATH:?run by GitHub Actions (GITHUB_ACTION_PATH is not set)}"
: "${RUNNER_TEMP:?run by GitHub Actions (RUNNER_TEMP is not set)}"

case "${1:-}" in
  install)
    # The action's own checkout, built the way a git install is (npm ci runs `prepare`).
    (cd "$GITHUB_ACTION_PATH" && npm ci --no-audit --no-fund --loglevel=error >&2)
    bin="$RUNNER_TEMP/kmseal-bin"
    mkdir -p "$bin"
    ln -sf "$GITHUB_ACTION_PATH/dist/kmseal.js" "$bin/kmseal"
    echo "$bin" >>"$GITHUB_PATH"
    say "installed $("$bin/kmseal" --version)"
    ;;

  oidc)
    if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] || [ -z "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ]; then
      say "no OIDC token available: the job needs 'permissions: id-token: write'"
      exit 1
    fi
    token_file="$RUNNER_TEMP/kmseal-oidc-token"
    (umask 077 && node "$GITHUB_ACTION_PATH/scripts/action-oidc.mjs" "${KMSEAL_ACTION_AUDIENCE:-sts.amazonaws.com}" >"$token_file")
    echo "::add-mask::$(cat "$token_file")"
    # The AWS SDK's default chain assumes the role with this token (AssumeRoleWithWebIdentity).
    {
      echo "AWS_ROLE_ARN=$KMSEAL_ACTION_ROLE"
      echo "AWS_WEB_IDENTITY_TOKEN_FILE=$token_file"
      echo "AWS_ROLE_SESSION_NAME=kmseal-${GITHUB_RUN_ID:-run}-${GITHUB_RUN_ATTEMPT:-1}"
      if [ -n "${KMSEAL_ACTION_REGION:-}" ]; then echo "AWS_REGION=$KMSEAL_ACTION_REGION"; fi
    } >>"$GITHUB_ENV"
    say "credentials: role $KMSEAL_ACTION_ROLE through the job's OIDC token"
    ;;

  run)
    if [ -n "${KMSEAL_ACTION_REGION:-}" ]; then export AWS_REGION="$KMSEAL_ACTION_REGION"; fi
    # kmseal exec masks what it injects when GITHUB_ACTIONS=true; the runner sets it, a test may not.
    export GITHUB_ACTIONS=true
    read -r -a files <<<"${KMSEAL_ACTION_FILES:---all}"
    case "${KMSEAL_ACTION_COMMAND:-decrypt}" in
      decrypt)
        written="$(kmseal decrypt --no-input "${files[@]}")"
        # Masked before anything else in the job can print them: every value of every file written.
        if [ -n "$written" ]; then
          mapfile -t paths <<<"$written"
          node "$GITHUB_ACTION_PATH/scripts/action-mask.mjs" "${paths[@]}"
        fi
        {
          echo "files<<KMSEAL_FILES_EOF"
          [ -n "$written" ] && echo "$written"
          echo "KMSEAL_FILES_EOF"
        } >>"${GITHUB_OUTPUT:-/dev/null}"
        say "decrypted: $(echo "$written" | grep -c . || true) file(s)"
        ;;
      exec)
        if [ -z "${KMSEAL_ACTION_RUN:-}" ]; then say "command: exec needs 'run'"; exit 1; fi
        if [ "${files[0]:-}" = "--all" ]; then say "command: exec needs the files named in 'files'"; exit 1; fi
        exec kmseal exec --no-input "${files[@]}" -- bash -c "$KMSEAL_ACTION_RUN"
        ;;
      *)
        say "command must be decrypt or exec, not '${KMSEAL_ACTION_COMMAND}'"
        exit 1
        ;;
    esac
    ;;

  *)
    say "usage: action.sh install|oidc|run"
    exit 2
    ;;
esac
