import { describe, expect, it } from "vitest";
import { csvField } from "../../src/report/format.js";
import type { Report } from "../../src/report/model.js";
import type { RenderOptions } from "../../src/report/render.js";
import { formatSpec, render } from "../../src/report/render.js";
import { CSV_COLUMNS } from "../../src/report/render-csv.js";
import { hostile, multiRun, singleRun } from "./fixtures.js";

const PLAIN = { color: false, allRows: false };

/** The whole text, its pieces joined. */
function renderCsv(report: Report, options: RenderOptions): string {
  return render(report, "csv", options);
}

describe("renderCsv", () => {
  it("starts with the header", () => {
    expect(renderCsv(singleRun, PLAIN).split("\n")[0]).toBe(
      "mode,run,warmup,index,line,url,final_url,status,ok,bytes,redirects,queued_ms,dns_ms," +
        "tcp_ms,tls_ms,connect_ms,ttfb_ms,download_ms,reused_connection,connection_id,latency_ms,start_ms,schedule_lag_ms,end_ms,error_kind,error_code,error_message,run_wall_ms," +
        "loop_max_delay_ms,loop_p99_delay_ms,loop_utilization,heartbeat_expected,heartbeat_fired",
    );
    expect(CSV_COLUMNS).toHaveLength(33);
  });

  it("writes one row per request per run, nulls as empty fields", () => {
    expect(renderCsv(singleRun, PLAIN)).toMatchInlineSnapshot(`
      "mode,run,warmup,index,line,url,final_url,status,ok,bytes,redirects,queued_ms,dns_ms,tcp_ms,tls_ms,connect_ms,ttfb_ms,download_ms,reused_connection,connection_id,latency_ms,start_ms,schedule_lag_ms,end_ms,error_kind,error_code,error_message,run_wall_ms,loop_max_delay_ms,loop_p99_delay_ms,loop_utilization,heartbeat_expected,heartbeat_fired
      sequential,1,false,0,2,http://127.0.0.1:41234/delay/100,http://127.0.0.1:41234/delay/100,200,true,2,0,0,,0.6,,0.6,100.8,0.4,false,1,101.2,0.2,,101.4,,,,3218.4,,,,,
      sequential,1,false,1,3,http://127.0.0.1:41234/delay/200,http://127.0.0.1:41234/delay/200,200,true,2,0,0,,,,,200.6,0.4,true,1,201,101.5,,302.5,,,,3218.4,,,,,
      sequential,1,false,2,4,http://127.0.0.1:41234/delay/300,http://127.0.0.1:41234/delay/300,200,true,2,0,0,,,,,300.9,0.4,true,1,301.3,302.6,,603.9,,,,3218.4,,,,,
      sequential,1,false,3,5,http://127.0.0.1:41234/delay/50,http://127.0.0.1:41234/delay/50,200,true,2,0,0,,,,,50.7,0.4,true,1,51.1,604,,655.1,,,,3218.4,,,,,
      sequential,1,false,4,6,http://127.0.0.1:41234/delay/5000,http://127.0.0.1:41234/delay/5000,,false,0,0,0,,,,,,,true,1,2000.6,655.2,,2655.8,timeout,UND_ERR_HEADERS_TIMEOUT,no response headers within 2 s,3218.4,,,,,
      sequential,1,false,5,7,http://127.0.0.1:41234/delay/150,http://127.0.0.1:41234/delay/150,200,true,2,0,0,,,,,150.6,0.4,true,1,151,2655.9,,2806.9,,,,3218.4,,,,,
      sequential,1,false,6,8,http://127.0.0.1:41234/status/503,http://127.0.0.1:41234/status/503,503,false,19,0,0,,,,,1.7,0.4,true,1,2.1,2807,,2809.1,http,,503 Service Unavailable,3218.4,,,,,
      sequential,1,false,7,9,http://127.0.0.1:41234/delay/400,http://127.0.0.1:41234/delay/400,200,true,2,0,0,,,,,400.8,0.4,true,1,401.2,2809.2,,3210.4,,,,3218.4,,,,,
      sequential,1,false,8,10,http://127.0.0.1:41234/bytes/2048,http://127.0.0.1:41234/bytes/2048,200,true,2048,0,0,,,,,2.8,0.4,true,1,3.2,3210.5,,3213.7,,,,3218.4,,,,,
      sequential,1,false,9,11,http://127.0.0.1:41234/redirect/2,http://127.0.0.1:41234/delay/0,200,true,2,2,0,,,,,4.1,0.4,true,1,4.5,3213.8,,3218.3,,,,3218.4,,,,,
      concurrent,1,false,0,2,http://127.0.0.1:41234/delay/100,http://127.0.0.1:41234/delay/100,200,true,2,0,0,,0.6,,0.6,103,0.4,false,1,103.4,0.2,,103.6,,,,2001.9,,,,,
      concurrent,1,false,1,3,http://127.0.0.1:41234/delay/200,http://127.0.0.1:41234/delay/200,200,true,2,0,0,,0.6,,0.6,202.7,0.4,false,2,203.1,0.3,,203.4,,,,2001.9,,,,,
      concurrent,1,false,2,4,http://127.0.0.1:41234/delay/300,http://127.0.0.1:41234/delay/300,200,true,2,0,0,,0.6,,0.6,302.4,0.4,false,3,302.8,0.4,,303.2,,,,2001.9,,,,,
      concurrent,1,false,3,5,http://127.0.0.1:41234/delay/50,http://127.0.0.1:41234/delay/50,200,true,2,0,0,,0.6,,0.6,52.2,0.4,false,4,52.6,0.5,,53.1,,,,2001.9,,,,,
      concurrent,1,false,4,6,http://127.0.0.1:41234/delay/5000,http://127.0.0.1:41234/delay/5000,,false,0,0,0,,0.6,,0.6,,,false,5,2001.2,0.6,,2001.8,timeout,UND_ERR_HEADERS_TIMEOUT,no response headers within 2 s,2001.9,,,,,
      concurrent,1,false,5,7,http://127.0.0.1:41234/delay/150,http://127.0.0.1:41234/delay/150,200,true,2,0,0,,0.6,,0.6,151.8,0.4,false,6,152.2,0.7,,152.9,,,,2001.9,,,,,
      concurrent,1,false,6,8,http://127.0.0.1:41234/status/503,http://127.0.0.1:41234/status/503,503,false,19,0,0,,0.6,,0.6,1.9,0.4,false,7,2.3,0.8,,3.1,http,,503 Service Unavailable,2001.9,,,,,
      concurrent,1,false,7,9,http://127.0.0.1:41234/delay/400,http://127.0.0.1:41234/delay/400,200,true,2,0,0,,0.6,,0.6,401.6,0.4,false,8,402,0.9,,402.9,,,,2001.9,,,,,
      concurrent,1,false,8,10,http://127.0.0.1:41234/bytes/2048,http://127.0.0.1:41234/bytes/2048,200,true,2048,0,0,,0.6,,0.6,3.7,0.4,false,9,4.1,1,,5.1,,,,2001.9,,,,,
      concurrent,1,false,9,11,http://127.0.0.1:41234/redirect/2,http://127.0.0.1:41234/delay/0,200,true,2,2,0,,0.6,,0.6,4.6,0.4,false,10,5,1.1,,6.1,,,,2001.9,,,,,
      "
    `);
  });

  it("repeats the run's wall and event-loop figures on each of its rows", () => {
    const run = multiRun.runs.find((r) => r.mode === "blocking" && !r.warmup);
    const loop = run?.eventLoop;
    const rows = renderCsv(multiRun, PLAIN).trimEnd().split("\n").slice(1);
    const blocking = rows.filter((row) => row.startsWith(`blocking,${run?.iteration},false,`));
    expect(blocking).toHaveLength(5);
    for (const row of blocking) {
      expect(row.split(",").slice(-6)).toEqual([
        String(Number(run?.wallMs.toFixed(3))),
        String(Number(loop?.maxDelayMs?.toFixed(3))),
        String(Number(loop?.p99DelayMs?.toFixed(3))),
        String(Number(loop?.utilization.toFixed(4))),
        String(loop?.heartbeat.expected),
        String(loop?.heartbeat.fired),
      ]);
    }
  });

  it("keeps warm-up runs, flagged, so nothing is dropped", () => {
    const rows = renderCsv(multiRun, PLAIN).trimEnd().split("\n").slice(1);
    // 3 modes × (1 warm-up + 5 runs) × 5 URLs.
    expect(rows).toHaveLength(90);
    expect(rows.filter((row) => row.split(",")[2] === "true")).toHaveLength(15);
    expect(rows[0]?.startsWith("sequential,1,true,0,")).toBe(true);
    expect(
      rows.some(
        (row) =>
          row.startsWith("concurrent,2,false,2,") &&
          row.includes(",reset,ECONNRESET,other side closed,"),
      ),
    ).toBe(true);
  });

  it("quotes, sanitizes and defuses hostile text", () => {
    const text = renderCsv(hostile, PLAIN);
    expect(text).not.toContain("\u001b");
    expect(text).toMatchInlineSnapshot(`
      "mode,run,warmup,index,line,url,final_url,status,ok,bytes,redirects,queued_ms,dns_ms,tcp_ms,tls_ms,connect_ms,ttfb_ms,download_ms,reused_connection,connection_id,latency_ms,start_ms,schedule_lag_ms,end_ms,error_kind,error_code,error_message,run_wall_ms,loop_max_delay_ms,loop_p99_delay_ms,loop_utilization,heartbeat_expected,heartbeat_fired
      sequential,1,false,0,2,"http://127.0.0.1:41234/a|b\`c,d""e�[31mred","http://127.0.0.1:41234/a|b\`c,d""e�[31mred",200,true,2,0,0,,0.6,,0.6,2.6,0.4,false,1,3,0.2,,3.2,,,,4.6,,,,,
      sequential,1,false,1,3,http://127.0.0.1:41234/bad-header,http://127.0.0.1:41234/bad-header,200,false,2,0,0,,,,,0.8,0.4,true,1,1.2,3.3,,4.5,other,,"'=HYPERLINK(""http://evil.example"",""click"")�",4.6,,,,,
      "
    `);
  });

  it("ends lines with LF, never CR", () => {
    const text = renderCsv(multiRun, PLAIN);
    expect(text.endsWith("\n")).toBe(true);
    expect(text).not.toContain("\r");
  });

  it("csvField quotes commas, double quotes and line breaks (RFC 4180)", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
  });

  it("csvField defuses spreadsheet formulas with a leading quote", () => {
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tx")).toBe("'\tx");
    expect(csvField('=HYPERLINK("x","y")')).toBe('"\'=HYPERLINK(""x"",""y"")"');
  });

  it("csvField leaves numbers and booleans alone and writes null as empty", () => {
    expect(csvField(-1)).toBe("-1");
    expect(csvField(2.5)).toBe("2.5");
    expect(csvField(true)).toBe("true");
    expect(csvField(null)).toBe("");
  });

  it("comes a line at a time: the header, then one piece per request", () => {
    const pieces = [...formatSpec("csv").render(multiRun, PLAIN)];
    const requests = multiRun.runs.reduce((n, run) => n + run.requests.length, 0);
    expect(pieces).toHaveLength(1 + requests);
    expect(
      pieces.every((piece) => piece.endsWith("\n") && piece.indexOf("\n") === piece.length - 1),
    ).toBe(true);
  });
});
