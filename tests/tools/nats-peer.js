#!/usr/bin/env node
// nats-peer.js: the other-ecosystem peer of nats-send and nats-recv in the
// tests: the npm "nats" client (v2) publishing to and reading JetStream.
// usage: nats-peer.js sub URL SUBJECT COUNT [TIMEOUT_MS]
//        nats-peer.js pub URL SUBJECT [TIMEOUT_MS]      (JSON lines on stdin)
//        nats-peer.js bench URL SUBJECT COUNT SIZE [WINDOW]
//        nats-peer.js addstream URL NAME SUBJECT [REPLICAS] [KEY=JSON...]
//        nats-peer.js streaminfo URL NAME
//        nats-peer.js consumerinfo URL STREAM NAME
//        nats-peer.js ping URL
// URL is one NATS URL or several, comma-separated. Connection options come
// from the environment variables nats-send and nats-recv read: NATS_CA,
// NATS_CERT, NATS_KEY (TLS), NATS_CREDS, NATS_USER + NATS_PASSWORD
// (or NATS_PASSWORD_FILE), NATS_TOKEN (or NATS_TOKEN_FILE); and
// NATS_PEER_DEBUG=1 says on stderr what it connected to and made.
// Exit: 0 done; 1 a timeout or a failed publish or request; 100 usage;
// 111 unable to connect.
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");
const tls = require("tls");

// The client is installed into the build tree by `sh tools/deps.sh npm`;
// NODE_PATH (or a global install) is the fallback.
function load(name) {
	const top = path.resolve(__dirname, "..", "..");
	try {
		return require(path.join(top, "build", "npm", "node_modules", name));
	} catch (e) {
		if (e.code !== "MODULE_NOT_FOUND") throw e;
		return require(name);
	}
}
const nats = load("nats");

function die(code, msg) {
	process.stderr.write("nats-peer: " + msg + "\n");
	process.exit(code);
}

function usage() {
	die(100, "usage: nats-peer.js sub URL SUBJECT COUNT [TIMEOUT_MS] | " +
	    "pub URL SUBJECT [TIMEOUT_MS] | bench URL SUBJECT COUNT SIZE [WINDOW] | " +
	    "addstream URL NAME SUBJECT [REPLICAS] [KEY=JSON...] | " +
	    "streaminfo URL NAME | consumerinfo URL STREAM NAME | ping URL");
}

// num S: S as a non-negative integer, or a usage error naming it.
function num(s) {
	if (s === undefined || !/^[0-9]+$/.test(s))
		die(100, "invalid number: " + s);
	return Number(s);
}

// firstLine FILE: the first line of FILE (secrets are never arguments).
function firstLine(file) {
	return fs.readFileSync(file, "utf8").split("\n")[0];
}

// connOpts URL: the connect options from URL and the environment.
function connOpts(url) {
	const env = process.env;
	const o = {
		servers: url.split(","),
		name: "nats-peer",
		timeout: 2000,
		maxReconnectAttempts: -1,
		reconnectTimeWait: 250,
	};
	if (env.NATS_CA || env.NATS_CERT || env.NATS_KEY ||
	    /(^|,)tls:\/\//.test(url)) {
		o.tls = {};
		if (env.NATS_CA) o.tls.caFile = env.NATS_CA;
		if (env.NATS_CERT) o.tls.certFile = env.NATS_CERT;
		if (env.NATS_KEY) o.tls.keyFile = env.NATS_KEY;
		// nats.js upgrades to TLS with an empty server name, and Node
		// then checks the certificate against "localhost": check it
		// against the hosts of URL instead (IP SANs included).
		const hosts = o.servers.map((u) => new URL(
		    /^[a-z]+:\/\//.test(u) ? u : "nats://" + u).hostname
		    .replace(/^\[(.*)\]$/, "$1"));
		o.tls.checkServerIdentity = (name, cert) => {
			let err;
			for (const h of hosts) {
				err = tls.checkServerIdentity(h, cert);
				if (!err) return undefined;
			}
			return err;
		};
	}
	if (env.NATS_CREDS)
		o.authenticator = nats.credsAuthenticator(
		    fs.readFileSync(env.NATS_CREDS));
	if (env.NATS_USER) {
		o.user = env.NATS_USER;
		o.pass = env.NATS_PASSWORD_FILE ?
		    firstLine(env.NATS_PASSWORD_FILE) : env.NATS_PASSWORD || "";
	}
	if (env.NATS_TOKEN_FILE) o.token = firstLine(env.NATS_TOKEN_FILE);
	else if (env.NATS_TOKEN) o.token = env.NATS_TOKEN;
	return o;
}

async function connect(url) {
	try {
		dbg("connecting to " + url);
		return await nats.connect(connOpts(url));
	} catch (e) {
		die(111, "unable to connect to " + url + ": " + e.message);
	}
}

function dbg(msg) {
	if (process.env.NATS_PEER_DEBUG)
		process.stderr.write("nats-peer: debug: " + msg + "\n");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// retry DEADLINE FN: FN() until it resolves, while it fails in a way that
// passes (a JetStream API call fails for a while after a cluster starts or
// loses its leader; a stream a test creates next may not exist yet).
async function retry(deadline, fn, passing) {
	passing = passing ||
	    /timeout|no responders|unavailable|503|temporar|no stream matches|not found/i;
	for (;;) {
		try {
			return await fn();
		} catch (e) {
			if (Date.now() >= deadline || !passing.test(e.message))
				throw e;
			await sleep(100);
		}
	}
}

// hdrsOf M: the headers of message M as {"Name": ["v", ...]}.
function hdrsOf(m) {
	const out = {};
	if (!m.headers) return out;
	for (const k of m.headers.keys()) out[k] = m.headers.values(k);
	return out;
}

// hdrsFrom OBJ: MsgHdrs from {"Name": "v"} or {"Name": ["v", ...]}.
function hdrsFrom(obj) {
	if (!obj || Object.keys(obj).length === 0) return undefined;
	const h = nats.headers();
	for (const [k, v] of Object.entries(obj))
		for (const x of Array.isArray(v) ? v : [v]) h.append(k, String(x));
	return h;
}

// sub: print COUNT messages of the stream that takes SUBJECT, from its
// start: an ephemeral pull consumer filtered on SUBJECT, made explicitly
// (each API call bounded and retried: on 2.9.10 nats.js's ordered consumer
// can wait forever for a consumer made right after a leader change).
async function sub(url, subject, count, timeout) {
	const deadline = Date.now() + timeout;
	let n = 0;
	// whatever hangs, the deadline holds
	setTimeout(() => die(1, "timeout: " + n + " of " + count +
	    " messages"), timeout + 1000);
	const nc = await connect(url);
	dbg("connected to " + nc.getServer());
	const api = { timeout: 1000 };
	const js = nc.jetstream(api);
	let code = 1;
	try {
		const jsm = await retry(deadline, () => nc.jetstreamManager(api));
		const stream = await retry(deadline,
		    () => jsm.streams.find(subject));
		const ci = await retry(deadline, () => jsm.consumers.add(stream, {
			filter_subject: subject,
			deliver_policy: "all",
			ack_policy: "explicit",
			mem_storage: true,
			num_replicas: 1,
			inactive_threshold: 30e9,
		}));
		dbg("consumer " + stream + "/" + ci.name + " via " +
		    nc.getServer());
		const c = await retry(deadline,
		    () => js.consumers.get(stream, ci.name));
		while (n < count && Date.now() < deadline) {
			const batch = await c.fetch({
				max_messages: Math.min(256, count - n),
				expires: Math.max(1000, Math.min(5000,
				    deadline - Date.now())),
			});
			for await (const m of batch) {
				print(m);
				m.ack();
				if (++n >= count) break;
			}
		}
		if (n >= count) code = 0;
		else process.stderr.write("nats-peer: timeout: " + n +
		    " of " + count + " messages\n");
	} catch (e) {
		process.stderr.write("nats-peer: " + e.message + "\n");
	}
	await nc.close();
	return code;
}

// print M: message M as one JSON line.
function print(m) {
	// $JS.ACK.<stream>.<consumer>.<n>.<sseq>.<cseq>.<ns>.<pending>
	const t = (m.reply || "").split(".");
	const rec = {
		seq: m.seq,
		subject: m.subject,
		payload_hex: Buffer.from(m.data).toString("hex"),
		headers: hdrsOf(m),
	};
	if (t.length >= 9) rec.time_ns = t[t.length - 2];
	process.stdout.write(JSON.stringify(rec) + "\n");
}

// pub: publish each JSON line of stdin, {"payload_hex": ..., "headers":
// {...}} (an optional "subject" overrides SUBJECT), one at a time, waiting
// (TIMEOUT ms) for its ack; print "SEQ" or "SEQ duplicate" per ack; stop
// at the first failure.
async function pub(url, subject, timeout) {
	const nc = await connect(url);
	const js = nc.jetstream({ timeout });
	const rl = readline.createInterface({ input: process.stdin });
	let code = 0;
	for await (const line of rl) {
		if (line.trim() === "") continue;
		try {
			const o = JSON.parse(line);
			// "no responders" (an election) means nothing was
			// stored: only then is it safe to publish again
			const ack = await retry(Date.now() + timeout,
			    () => js.publish(o.subject || subject,
			    Buffer.from(o.payload_hex || "", "hex"),
			    { headers: hdrsFrom(o.headers), timeout }),
			    /no responders|503/i);
			process.stdout.write(ack.seq +
			    (ack.duplicate ? " duplicate" : "") + "\n");
		} catch (e) {
			process.stderr.write("nats-peer: unable to publish: " +
			    e.message + "\n");
			code = 1;
			break;
		}
	}
	await nc.close();
	return code;
}

// bench: COUNT messages of SIZE bytes, each with a Nats-Msg-Id unique to
// this run, at most WINDOW unacknowledged.
async function bench(url, subject, count, size, win) {
	const nc = await connect(url);
	const js = nc.jetstream({ timeout: 10000 });
	const payload = Buffer.alloc(size, 0x61);
	const run = process.pid.toString(36) + Date.now().toString(36);
	let inflight = 0, ok = 0, failed = 0, first = null, waiter = null;
	const done = () => {
		inflight--;
		if (waiter) {
			const w = waiter;
			waiter = null;
			w();
		}
	};
	const t0 = process.hrtime.bigint();
	for (let i = 0; i < count; i++) {
		while (inflight >= win) await new Promise((r) => { waiter = r; });
		inflight++;
		js.publish(subject, payload, { msgID: run + "-" + i })
		    .then(() => { ok++; }, (e) => { failed++; first = first || e; })
		    .finally(done);
	}
	while (inflight > 0) await new Promise((r) => { waiter = r; });
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	process.stdout.write("msgs=" + ok + " secs=" + secs.toFixed(3) +
	    " rate=" + Math.round(ok / secs) + (failed ? " failed=" + failed : "") +
	    "\n");
	if (first) process.stderr.write("nats-peer: " + first.message + "\n");
	await nc.close();
	return failed ? 1 : 0;
}

// addstream: create stream NAME taking SUBJECT; KEY=VALUE pairs set more
// of the server's StreamConfig (VALUE is JSON, else a string), e.g.
// storage=memory duplicate_window=1000000000 max_msg_size=100.
async function addstream(url, name, subject, replicas, extra) {
	const cfg = { name, subjects: [subject], num_replicas: replicas };
	for (const kv of extra) {
		const i = kv.indexOf("=");
		if (i <= 0) die(100, "invalid KEY=VALUE: " + kv);
		const v = kv.slice(i + 1);
		try {
			cfg[kv.slice(0, i)] = JSON.parse(v);
		} catch (e) {
			cfg[kv.slice(0, i)] = v;
		}
	}
	const nc = await connect(url);
	let code = 0;
	try {
		const jsm = await retry(Date.now() + 10000,
		    () => nc.jetstreamManager());
		const si = await retry(Date.now() + 10000,
		    () => jsm.streams.add(cfg));
		process.stdout.write(si.config.name + "\n");
	} catch (e) {
		process.stderr.write("nats-peer: unable to add stream " + name +
		    ": " + e.message + "\n");
		code = 1;
	}
	await nc.close();
	return code;
}

// info: print the JSON FN(jsm) resolves to, one line.
async function info(url, fn) {
	const nc = await connect(url);
	let code = 0;
	try {
		const jsm = await nc.jetstreamManager();
		process.stdout.write(JSON.stringify(await fn(jsm)) + "\n");
	} catch (e) {
		process.stderr.write("nats-peer: " + e.message + "\n");
		code = 1;
	}
	await nc.close();
	return code;
}

async function main(a) {
	switch (a[0]) {
	case "sub":
		if (a.length < 4 || a.length > 5) usage();
		return sub(a[1], a[2], num(a[3]),
		    a[4] === undefined ? 10000 : num(a[4]));
	case "pub":
		if (a.length < 3 || a.length > 4) usage();
		return pub(a[1], a[2], a[3] === undefined ? 5000 : num(a[3]));
	case "bench":
		if (a.length < 5 || a.length > 6) usage();
		return bench(a[1], a[2], num(a[3]), num(a[4]),
		    a[5] === undefined ? 4096 : Math.max(1, num(a[5])));
	case "addstream":
		if (a.length < 4) usage();
		return addstream(a[1], a[2], a[3],
		    a[4] === undefined ? 1 : num(a[4]), a.slice(5));
	case "streaminfo":
		if (a.length !== 3) usage();
		return info(a[1], (jsm) => jsm.streams.info(a[2]));
	case "consumerinfo":
		if (a.length !== 4) usage();
		return info(a[1], (jsm) => jsm.consumers.info(a[2], a[3]));
	case "ping":
		if (a.length !== 2) usage();
		return info(a[1], (jsm) => jsm.getAccountInfo());
	default:
		usage();
	}
}

main(process.argv.slice(2)).then((code) => process.exit(code),
    (e) => die(1, e.message));
