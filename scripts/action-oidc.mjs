#!/usr/bin/env node
// Prints the job's OIDC token for the given audience (GitHub's ID-token endpoint).
const [audience = "sts.amazonaws.com"] = process.argv.slice(2);
const url = new URL(process.env.ACTIONS_ID_TOKEN_REQUEST_URL);
url.searchParams.set("audience", audience);
const res = await fetch(url, { headers: { Authorization: `bearer ${process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`, Accept: "application/json" } });
if (!res.ok) {
  console.error(`kmseal action: the OIDC token request failed: HTTP ${res.status}`);
  process.exit(1);
}
const { value } = await res.json();
if (typeof value !== "string" || value === "") {
  console.error("kmseal action: the OIDC token response has no token");
  process.exit(1);
}
process.stdout.write(value);
