/**
 * A self-signed X.509 certificate made with node:crypto alone, for the built-in server's
 * HTTPS and HTTP/2 listeners. Node can parse and use certificates but not make them; the
 * few DER structures a certificate needs are written here rather than pulling in a
 * certificate library as a runtime dependency.
 */
import { generateKeyPairSync, randomBytes, sign, X509Certificate } from "node:crypto";
import { isIP } from "node:net";

/** What to certify. */
export interface CertificateOptions {
  /** Host names and IP addresses the certificate is valid for (subjectAltName). */
  hosts?: readonly string[];
  /** Start of validity; default one hour ago, so a clock a little behind still accepts it. */
  notBefore?: Date;
  /** End of validity; default 30 days after now. */
  notAfter?: Date;
}

/** A certificate and its key, PEM-encoded, ready for `tls.createServer({ cert, key })`. */
export interface Certificate {
  cert: string;
  key: string;
  /** Host names and addresses it is valid for. */
  hosts: readonly string[];
  /** SHA-256 fingerprint of the certificate, colon-separated hex as `openssl x509 -fingerprint` prints it. */
  fingerprint256: string;
}

/** Every name the built-in server answers on by default. */
export const LOCAL_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "::1"];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const OID = {
  commonName: "2.5.4.3",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
} as const;

/**
 * Makes a self-signed certificate (ECDSA P-256, SHA-256) for `hosts`. It is its own CA
 * (basicConstraints cA), so a client can trust it with `ca: cert` as well as skip checks.
 */
export function createCertificate(options: CertificateOptions = {}): Certificate {
  const hosts = options.hosts ?? LOCAL_HOSTS;
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - HOUR_MS);
  const notAfter = options.notAfter ?? new Date(now + 30 * DAY_MS);
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const name = sequence(set(sequence(oid(OID.commonName), utf8("fetchbench test server"))));
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  // A positive serial of 16 random bytes: the high bit cleared keeps the INTEGER positive.
  const serial = randomBytes(16);
  // A first byte of 0 would make the INTEGER non-minimal, which OpenSSL refuses ("illegal
  // padding") about one certificate in 256: bit 6 set keeps it non-zero and positive.
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // version 3
    integer(serial),
    algorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    tlv(
      0xa3,
      sequence(
        extension(OID.basicConstraints, true, sequence(tlv(0x01, Buffer.from([0xff])))),
        extension(OID.subjectAltName, false, sequence(...hosts.map(generalName))),
      ),
    ),
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = sequence(tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const cert = pem("CERTIFICATE", der);
  const key = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { cert, key, hosts, fingerprint256: new X509Certificate(cert).fingerprint256 };
}

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes);
}

function utf8(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, "utf8"));
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) base128.unshift(0x80 | (value & 0x7f));
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime up to 2049, GeneralizedTime from 2050, as RFC 5280 §4.1.2.5 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const year = date.getUTCFullYear();
  return year < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, "ascii"))
    : tlv(0x18, Buffer.from(`${iso}Z`, "ascii"));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  const flag = critical ? [tlv(0x01, Buffer.from([0xff]))] : [];
  return sequence(oid(id), ...flag, tlv(0x04, value));
}

/** dNSName [2] or iPAddress [7], both IMPLICIT. */
function generalName(host: string): Buffer {
  const family = isIP(host);
  if (family === 4) return tlv(0x87, Buffer.from(host.split(".").map(Number)));
  if (family === 6) return tlv(0x87, ipv6Bytes(host));
  return tlv(0x82, Buffer.from(host, "ascii"));
}

function ipv6Bytes(address: string): Buffer {
  const [head = "", tail] = address.split("::");
  const groups = (text: string) => (text === "" ? [] : text.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const middle = Array<string>(8 - left.length - right.length).fill("0");
  const bytes = Buffer.alloc(16);
  [...left, ...middle, ...right].forEach((group, i) => {
    bytes.writeUInt16BE(Number.parseInt(group, 16), i * 2);
  });
  return bytes;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
