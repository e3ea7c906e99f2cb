#!/usr/bin/env node
// nats-creds.js: make the keys and JWTs of a decentralized-auth NATS server
// for the tests: an operator, a system account, an account with JetStream
// limits, a user of it, and a user of an account the server does not know.
// usage: nats-creds.js DIR
// Writes DIR/operator.jwt, DIR/auth.conf (operator, system_account,
// resolver: MEMORY, resolver_preload: to include in a server config),
// DIR/user.creds (accepted) and DIR/stranger.creds (refused).
// The JWTs are nats-jwt v2 claims signed with nkeys.js, as nsc makes them.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

function load(name) {
	const top = path.resolve(__dirname, "..", "..");
	try {
		return require(path.join(top, "build", "npm", "node_modules", name));
	} catch (e) {
		if (e.code !== "MODULE_NOT_FOUND") throw e;
		return require(name);
	}
}
const nkeys = load("nkeys.js");

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const dec = (u8) => Buffer.from(u8).toString();

// jwt ISSUER SUBJECT NAME NATS: a JWT with claims NATS for the key pair
// SUBJECT, signed by the key pair ISSUER.
function jwt(issuer, subject, name, nats) {
	const claims = {
		jti: "",
		iat: Math.floor(Date.now() / 1000),
		iss: issuer.getPublicKey(),
		name,
		sub: subject.getPublicKey(),
		nats: Object.assign({ version: 2 }, nats),
	};
	// jti: a hash of the claims, as the Go library makes it (no one checks).
	claims.jti = crypto.createHash("sha256").update(JSON.stringify(claims))
	    .digest("base64url").toUpperCase().replace(/[^A-Z0-9]/g, "")
	    .slice(0, 52);
	const head = b64url(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
	const body = b64url(JSON.stringify(claims));
	const sig = issuer.sign(Buffer.from(head + "." + body));
	return head + "." + body + "." + b64url(sig);
}

const unlimited = {
	subs: -1, data: -1, payload: -1, imports: -1, exports: -1,
	wildcards: true, conn: -1, leaf: -1,
};

function accountClaims(js) {
	const limits = Object.assign({}, unlimited);
	if (js)
		Object.assign(limits, {
			mem_storage: -1, disk_storage: -1, streams: -1,
			consumer: -1, max_ack_pending: -1,
			mem_max_stream_bytes: -1, disk_max_stream_bytes: -1,
		});
	return {
		type: "account",
		limits,
		default_permissions: { pub: {}, sub: {} },
	};
}

function userClaims() {
	return { type: "user", pub: {}, sub: {}, subs: -1, data: -1, payload: -1 };
}

function creds(userJwt, user) {
	return "-----BEGIN NATS USER JWT-----\n" + userJwt +
	    "\n------END NATS USER JWT------\n\n" +
	    "************************* IMPORTANT *************************\n" +
	    "NKEY Seed printed below can be used to sign and prove identity.\n" +
	    "NKEYs are sensitive and should be treated as secrets.\n\n" +
	    "-----BEGIN USER NKEY SEED-----\n" + dec(user.getSeed()) +
	    "\n------END USER NKEY SEED------\n\n" +
	    "*************************************************************\n";
}

function main(argv) {
	if (argv.length !== 1) {
		process.stderr.write("usage: nats-creds.js DIR\n");
		return 100;
	}
	const dir = argv[0];
	const op = nkeys.createOperator();
	const sys = nkeys.createAccount();
	const acc = nkeys.createAccount();
	const user = nkeys.createUser();
	const stranger = nkeys.createAccount();
	const strangerUser = nkeys.createUser();

	const opJwt = jwt(op, op, "chanrelay-test", {
		type: "operator",
		system_account: sys.getPublicKey(),
	});
	const sysJwt = jwt(op, sys, "SYS", accountClaims(false));
	const accJwt = jwt(op, acc, "CHANRELAY", accountClaims(true));
	const userJwt = jwt(acc, user, "tester", userClaims());
	const strangerJwt = jwt(stranger, strangerUser, "stranger", userClaims());

	const w = (name, text, mode) =>
	    fs.writeFileSync(path.join(dir, name), text, { mode });
	w("operator.jwt", opJwt + "\n", 0o644);
	w("auth.conf",
	    "operator: \"" + path.resolve(dir, "operator.jwt") + "\"\n" +
	    "system_account: " + sys.getPublicKey() + "\n" +
	    "resolver: MEMORY\n" +
	    "resolver_preload: {\n" +
	    "  " + sys.getPublicKey() + ": \"" + sysJwt + "\"\n" +
	    "  " + acc.getPublicKey() + ": \"" + accJwt + "\"\n" +
	    "}\n", 0o644);
	w("user.creds", creds(userJwt, user), 0o600);
	w("stranger.creds", creds(strangerJwt, strangerUser), 0o600);
	return 0;
}

process.exit(main(process.argv.slice(2)));
