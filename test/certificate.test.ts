import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCertificate, LOCAL_HOSTS } from "../src/certificate.js";

describe("createCertificate", () => {
  it("certifies localhost, 127.0.0.1 and ::1 by default", () => {
    const { cert } = createCertificate();
    const x509 = new X509Certificate(cert);
    expect(x509.checkHost("localhost")).toBe("localhost");
    expect(x509.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x509.checkIP("::1")).toBe("::1");
    expect(x509.checkHost("example.com")).toBeUndefined();
    expect(createCertificate().hosts).toEqual(LOCAL_HOSTS);
  });

  it("is self-signed with the key it returns, and may act as its own CA", () => {
    const { cert, key } = createCertificate();
    const x509 = new X509Certificate(cert);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.ca).toBe(true);
    expect(x509.issuer).toBe(x509.subject);
  });

  it("reports the fingerprint of the certificate it made", () => {
    const made = createCertificate();
    expect(made.fingerprint256).toBe(new X509Certificate(made.cert).fingerprint256);
    expect(made.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("is valid for the period asked, on either side of 2050", () => {
    const notBefore = new Date("2020-01-02T03:04:05Z");
    const notAfter = new Date("2051-06-07T08:09:10Z");
    const x509 = new X509Certificate(createCertificate({ notBefore, notAfter }).cert);
    expect(new Date(x509.validFrom).toISOString()).toBe(notBefore.toISOString());
    expect(new Date(x509.validTo).toISOString()).toBe(notAfter.toISOString());
  });

  it("certifies the hosts it is given", () => {
    const x509 = new X509Certificate(createCertificate({ hosts: ["api.test", "10.1.2.3"] }).cert);
    expect(x509.checkHost("api.test")).toBe("api.test");
    expect(x509.checkIP("10.1.2.3")).toBe("10.1.2.3");
    expect(x509.checkHost("localhost")).toBeUndefined();
  });

  it("gives every certificate its own key and serial", () => {
    const a = new X509Certificate(createCertificate().cert);
    const b = new X509Certificate(createCertificate().cert);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.fingerprint256).not.toBe(b.fingerprint256);
  });
});
