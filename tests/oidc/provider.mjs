// A real OpenID provider for the tests: panva's certified oidc-provider, run with Node.
//
//   node tests/oidc/provider.mjs            (env: OIDC_PORT, OIDC_CLIENTS, OIDC_ACCOUNTS)
//
// OIDC_CLIENTS is a JSON list of client metadata (client_id, client_secret, redirect_uris,
// post_logout_redirect_uris); OIDC_ACCOUNTS a JSON object {accountId: {claims...}}.
// It prints one line "listening <issuer>" when it is ready.
//
// Sign-in is not interactive: the interaction route signs in the account the test chose with
// POST /_test/login {"sub": ..., "amr": [...], "acr": ...} and grants what the client asked for.
// Test-only controls, so a test can make the provider misbehave in one precise way:
//   POST /_test/clock {"skew": seconds}    the token endpoint's clock runs that far off (expired tokens)
//   POST /_test/audience {"aud": "other"}  the next ID token is issued (and signed) for another client
//   GET  /_test/other-jwks                 a JWKS with the same key id but another key
import http from "node:http";

import * as jose from "jose";
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT || 0);
const clients = JSON.parse(process.env.OIDC_CLIENTS || "[]");
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || "{}");

// The skew applies while the token endpoint answers (the ID token's iat and exp), not to the
// cookies of the sign-in itself, which a browser would drop if they were issued expired.
let skew = 0;
let skewActive = false;
const realNow = Date.now;
Date.now = () => realNow() + (skewActive ? skew * 1000 : 0);

let nextLogin = null;
let nextAudience = null;

async function signingKey(kid) {
  const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
}

const kid = "portal-test-key";
const key = await signingKey(kid);
const otherKey = await signingKey(kid);
const publicJwk = ({ kty, n, e, kid: id, alg, use }) => ({ kty, n, e, kid: id, alg, use });

const server = http.createServer();
await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [key] },
  cookies: { keys: ["test-cookie-key-0123456789"] },
  claims: {
    // As Entra ID and most brokers do: acr and amr in every ID token, not only when requested.
    openid: ["sub", "acr", "amr", "auth_time"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name"],
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><html><body>${form}<button form="op.logoutForm" name="logout" value="yes">Sign out</button></body></html>`;
      },
    },
  },
  async findAccount(_ctx, sub) {
    const claims = accounts[sub];
    if (!claims) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...claims }) };
  },
  acrValues: ["urn:test:loa:substantial", "urn:test:loa:low"],
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Interaction: 300, Session: 600, Grant: 600 },
});

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
}

function json(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === "login") {
    if (!nextLogin || !accounts[nextLogin.sub]) return json(res, 400, { error: "no test login chosen" });
    const login = { accountId: nextLogin.sub };
    if (nextLogin.amr) login.amr = nextLogin.amr;
    if (nextLogin.acr) login.acr = nextLogin.acr;
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

// The next token response carries an ID token for another audience, signed with the real key.
async function reissueForAudience(res, handler) {
  const chunks = [];
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = (chunk) => { chunks.push(Buffer.from(chunk)); return true; };
  res.end = async (chunk) => {
    if (chunk) chunks.push(Buffer.from(chunk));
    let text = Buffer.concat(chunks).toString();
    try {
      const tokens = JSON.parse(text);
      if (tokens.id_token) {
        const claims = jose.decodeJwt(tokens.id_token);
        const privateKey = await jose.importJWK(key, "RS256");
        tokens.id_token = await new jose.SignJWT({ ...claims, aud: nextAudience, azp: nextAudience })
          .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
          .sign(privateKey);
        nextAudience = null;
        text = JSON.stringify(tokens);
        res.setHeader("content-length", Buffer.byteLength(text));
      }
    } catch (error) {
      // not JSON: pass it on unchanged
    }
    write(text);
    end();
  };
  handler();
}

const callback = provider.callback();
server.on("request", async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname.startsWith("/interaction/")) return await interaction(req, res);
    if (url.pathname === "/_test/login" && req.method === "POST") {
      nextLogin = await body(req);
      if (nextLogin.claims) accounts[nextLogin.sub] = nextLogin.claims;
      return json(res, 200, { ok: true });
    }
    if (url.pathname === "/_test/clock" && req.method === "POST") {
      skew = Number((await body(req)).skew || 0);
      return json(res, 200, { ok: true });
    }
    if (url.pathname === "/_test/audience" && req.method === "POST") {
      nextAudience = (await body(req)).aud || null;
      return json(res, 200, { ok: true });
    }
    if (url.pathname === "/_test/other-jwks") return json(res, 200, { keys: [publicJwk(otherKey)] });
    if (url.pathname === "/token") {
      skewActive = skew !== 0;
      res.on("finish", () => { skewActive = false; });
      if (nextAudience) return await reissueForAudience(res, () => callback(req, res));
    }
    return callback(req, res);
  } catch (error) {
    json(res, 500, { error: String(error) });
  }
});

console.log(`listening ${issuer}`);
