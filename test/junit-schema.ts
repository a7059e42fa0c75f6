/**
 * Validates JUnit XML against the JUnit format's schema in its strict form (test/fixtures/junit.xsd:
 * the elements and attributes that Jenkins, GitLab and the GitHub test reporters read), with
 * libxml2's xmllint compiled to WebAssembly: the same check `xmllint --schema` makes, with nothing
 * installed but the npm packages.
 */

import { readFile } from "node:fs/promises";
import { validateXML } from "xmllint-wasm";

const SCHEMA = new URL("./fixtures/junit.xsd", import.meta.url);

let schema: Promise<string> | undefined;

/** xmllint's messages for what the schema rejects (`junit.xml:2: Schemas validity error : …`); empty when valid. */
export async function junitSchemaErrors(xml: string): Promise<string[]> {
  schema ??= readFile(SCHEMA, "utf8");
  const result = await validateXML({
    xml: { fileName: "junit.xml", contents: xml },
    schema: { fileName: "junit.xsd", contents: await schema },
  });
  // A schema that did not compile, or XML that is not well-formed, is no pass either.
  if (!result.valid && result.errors.length === 0) return [result.rawOutput || "invalid"];
  return result.errors.map((error) => error.rawMessage);
}
