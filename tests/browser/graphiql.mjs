// GraphiQL in headless Chromium with the network cut off, against a running `gateway dev`.
//
//   node graphiql.mjs <gateway GraphQL URL> <screenshot.png> [chromium executable]
//
// Every request the page makes is recorded; any request to another origin than the gateway's (another host,
// or another port on 127.0.0.1) is aborted and reported. Beyond that, Chromium itself is given an unusable
// proxy and a resolver that knows no name, so nothing but loopback is reachable: the page must work offline.
// The script loads the page with a cross-subgraph query in its URL fragment, runs it, and reads back what
// the page rendered: the result, the "Query plan & cost" panel, the documentation explorer (introspection),
// the history, the headers editor. It prints one JSON object; tests/browser/test_graphiql_browser.py
// asserts on it. It exits non-zero only when it could not run (no browser, a step timed out).
import { chromium } from "playwright-core";

const [endpoint, screenshotPath, executable = "/usr/bin/chromium"] = process.argv.slice(2);
if (!endpoint || !screenshotPath) {
  console.error("usage: node graphiql.mjs <gateway GraphQL URL> <screenshot.png> [chromium]");
  process.exit(2);
}
const origin = new URL(endpoint).origin;
const QUERY = `{
  user(id: "1") {
    username
    orderCount
    orders(first: 1) {
      edges {
        node {
          id
          items {
            item {
              __typename
              ... on Product { upc title }
            }
          }
        }
      }
    }
  }
}`;
const STEP_TIMEOUT = 15000;
const started = Date.now();
const report = {
  requests: [],
  foreign: [],
  failedRequests: [],
  cspViolations: [],
  pageErrors: [],
  consoleErrors: [],
  steps: {},
};

function step(name) {
  report.steps[name] = Date.now() - started;
}

const browser = await chromium.launch({
  executablePath: executable,
  headless: true,
  args: [
    "--no-sandbox", // CI runs as root in a container
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    // The network cut off: only loopback bypasses this proxy (nothing listens on port 9), and no name but
    // localhost resolves.
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1;localhost",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
  ],
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, serviceWorkers: "block" });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || new URL(url).origin === origin) {
      return route.continue();
    }
    report.foreign.push(url);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("request", (request) => report.requests.push(`${request.method()} ${request.url()}`));
  page.on("requestfailed", (request) =>
    report.failedRequests.push(`${request.url()} ${request.failure()?.errorText ?? ""}`),
  );
  page.on("pageerror", (error) => report.pageErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") report.consoleErrors.push(message.text());
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  const response = await page.goto(`${endpoint}#query=${encodeURIComponent(QUERY)}`);
  report.pageStatus = response.status();
  report.csp = response.headers()["content-security-policy"] ?? null;
  await page.waitForSelector(".graphiql-container", { timeout: STEP_TIMEOUT });
  step("rendered");

  // The query from the URL fragment is in the editor; the schema arrived (introspection) once the docs
  // explorer can list the root types.
  const editorValue = (selector) =>
    page.evaluate((s) => {
      const editor = document.querySelector(s);
      return editor && editor.CodeMirror ? editor.CodeMirror.getValue() : null;
    }, selector);
  await page.waitForFunction(
    () => {
      const editor = document.querySelector(".graphiql-query-editor .CodeMirror");
      return editor && editor.CodeMirror && editor.CodeMirror.getValue().includes("orderCount");
    },
    null,
    { timeout: STEP_TIMEOUT },
  );
  report.headersEditor = await page.evaluate(() =>
    Array.from(document.querySelectorAll(".graphiql-editor-tool .CodeMirror"))
      .map((editor) => editor.CodeMirror.getValue())
      .join("\n"),
  );

  await page.click(".graphiql-execute-button");
  await page.waitForFunction(
    () => {
      const result = document.querySelector(".result-window");
      return result && result.innerText.includes("Pro Headlamp");
    },
    null,
    { timeout: STEP_TIMEOUT },
  );
  step("ran");
  report.resultText = await page.locator(".result-window").innerText();
  report.resultValue = await editorValue(".result-window .CodeMirror");

  await page.click('button[aria-label="Show Query plan & cost"]');
  await page.waitForSelector('[data-testid="gateway-plan-text"]', { timeout: STEP_TIMEOUT });
  report.planPanel = await page.locator('[data-testid="gateway-plan-panel"]').innerText();
  report.planText = await page.locator('[data-testid="gateway-plan-text"]').innerText();
  report.costText = await page.locator('[data-testid="gateway-cost"]').innerText();
  await page.screenshot({ path: screenshotPath });
  step("plan");

  await page.click('button[aria-label="Show Documentation Explorer"]');
  await page.waitForFunction(
    () => {
      const docs = document.querySelector(".graphiql-doc-explorer");
      return docs && docs.innerText.includes("Root Types");
    },
    null,
    { timeout: STEP_TIMEOUT },
  );
  await page.getByRole("link", { name: "Query", exact: true }).first().click();
  await page.waitForFunction(
    () => {
      const docs = document.querySelector(".graphiql-doc-explorer");
      return docs && docs.innerText.includes("topProducts");
    },
    null,
    { timeout: STEP_TIMEOUT },
  );
  report.docsText = await page.locator(".graphiql-doc-explorer").innerText();
  step("docs");

  await page.click('button[aria-label="Show History"]');
  await page.waitForSelector(".graphiql-history-item", { timeout: STEP_TIMEOUT });
  report.historyItems = await page.locator(".graphiql-history-item").count();
  step("history");

  report.cspViolations = await page.evaluate(() => window.__cspViolations);
  await context.close();
} finally {
  await browser.close();
}
report.elapsedMs = Date.now() - started;
process.stdout.write(JSON.stringify(report) + "\n");
