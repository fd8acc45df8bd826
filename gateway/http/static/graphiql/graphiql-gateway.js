/*
 * The gateway's GraphiQL bootstrap (gateway/http/graphiql.py renders the page that loads it).
 *
 * Reads the page's settings from <script id="graphiql-settings" type="application/json"> (no inline script:
 * the Content-Security-Policy is script-src 'self'), renders GraphiQL 3 with the headers editor prefilled,
 * the built-in documentation explorer and history, and a "Query plan & cost" plugin showing, for the last
 * run, extensions.apolloQueryPlan ({object, text}) and extensions.cost, which the gateway adds when the
 * request carries Apollo-Expose-Query-Plan: true and server.expose_query_plan is on.
 *
 * A link can carry an operation in its fragment (never sent to the server):
 *   /graphql#query=<url-encoded document>&variables=<json>&operationName=<name>
 */
(function () {
  "use strict";

  var settings = JSON.parse(document.getElementById("graphiql-settings").textContent);
  var h = React.createElement;
  var PLAN_EXTENSION = "apolloQueryPlan";
  var INTROSPECTION = "IntrospectionQuery";

  // ---- the last run, shared between the fetcher and the plugin ---------------------------------------

  var lastRun = null;
  var listeners = [];

  function publish(run) {
    lastRun = run;
    listeners.slice().forEach(function (listener) {
      listener(run);
    });
  }

  function useLastRun() {
    var state = React.useState(lastRun);
    React.useEffect(function () {
      var listener = state[1];
      listeners.push(listener);
      listener(lastRun);
      return function () {
        listeners = listeners.filter(function (other) {
          return other !== listener;
        });
      };
    }, []);
    return state[0];
  }

  // ---- the fetcher ---------------------------------------------------------------------------------------

  function fetcher(params, options) {
    var headers = {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json;q=0.9",
    };
    if (settings.exposeQueryPlan) {
      headers["apollo-expose-query-plan"] = "true";
    }
    var extra = (options && options.headers) || {};
    Object.keys(extra).forEach(function (name) {
      headers[name.toLowerCase()] = String(extra[name]);
    });
    var started = performance.now();
    return fetch(settings.endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(params),
      credentials: "same-origin",
    }).then(function (response) {
      return response.text().then(function (text) {
        var body;
        try {
          body = JSON.parse(text);
        } catch (error) {
          body = { errors: [{ message: "HTTP " + response.status + ": " + text.slice(0, 500) }] };
        }
        if (params.operationName !== INTROSPECTION) {
          record(params, response.status, performance.now() - started, body);
        }
        return body;
      });
    });
  }

  function record(params, status, elapsed, body) {
    var extensions = (body && typeof body === "object" && body.extensions) || {};
    var plan = extensions[PLAN_EXTENSION] || null;
    if (plan && body.extensions) {
      // Shown in the plugin, not in the result pane.
      var rest = Object.assign({}, body.extensions);
      delete rest[PLAN_EXTENSION];
      if (Object.keys(rest).length) {
        body.extensions = rest;
      } else {
        delete body.extensions;
      }
    }
    publish({
      operationName: params.operationName || null,
      status: status,
      elapsed: elapsed,
      plan: plan,
      cost: extensions.cost || null,
      failed: !body || !("data" in body),
      at: new Date(),
    });
  }

  // ---- the "Query plan & cost" plugin --------------------------------------------------------------------

  function fetchesOf(node, into) {
    if (!node) return into;
    if (node.kind === "Fetch") into.push(node.serviceName);
    if (node.kind === "Flatten") fetchesOf(node.node, into);
    (node.nodes || []).forEach(function (child) {
      fetchesOf(child, into);
    });
    return into;
  }

  function number(value) {
    if (value === null || value === undefined) return "\u2014";
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  }

  function CostTable(props) {
    var cost = props.cost;
    if (!cost) {
      return h(
        "p",
        { className: "gateway-plan-note" },
        "No cost: demand control is off (enable demand_control, mode measure or enforce)."
      );
    }
    var rows = [
      ["Estimated", cost.estimated],
      ["Actual", cost.actual],
      ["Maximum", cost.max],
    ];
    return h(
      "table",
      { className: "gateway-cost", "data-testid": "gateway-cost" },
      h(
        "tbody",
        null,
        rows.map(function (row) {
          return h("tr", { key: row[0] }, h("th", { scope: "row" }, row[0]), h("td", null, number(row[1])));
        })
      )
    );
  }

  function PlanView(props) {
    var plan = props.plan;
    if (!plan) {
      var reason = !settings.exposeQueryPlan
        ? "This gateway does not expose query plans (server.expose_query_plan is off)."
        : props.failed
          ? "No plan: the request failed before it was planned."
          : "The response carried no plan.";
      return h("p", { className: "gateway-plan-note" }, reason);
    }
    var services = fetchesOf(plan.object && plan.object.node, []);
    var summary =
      services.length === 0
        ? "No subgraph fetch (answered by the gateway)."
        : services.length + (services.length === 1 ? " fetch: " : " fetches: ") + services.join(", ");
    return h(
      React.Fragment,
      null,
      h("p", { className: "gateway-plan-summary" }, summary),
      h("pre", { className: "gateway-plan-text", "data-testid": "gateway-plan-text" }, plan.text)
    );
  }

  function PlanPanel() {
    var run = useLastRun();
    var body;
    if (!run) {
      body = h(
        "p",
        { className: "gateway-plan-note" },
        "Run an operation to see how the gateway planned it and what it cost."
      );
    } else {
      body = h(
        React.Fragment,
        null,
        h(
          "p",
          { className: "gateway-plan-meta" },
          (run.operationName ? run.operationName + " \u00b7 " : "") +
            "HTTP " +
            run.status +
            " \u00b7 " +
            Math.round(run.elapsed) +
            " ms \u00b7 " +
            run.at.toLocaleTimeString()
        ),
        h("h3", null, "Cost"),
        h(CostTable, { cost: run.cost }),
        h("h3", null, "Query plan"),
        h(PlanView, { plan: run.plan, failed: run.failed })
      );
    }
    return h(
      "div",
      { className: "gateway-plan-panel", "data-testid": "gateway-plan-panel" },
      h("div", { className: "graphiql-doc-explorer-title" }, "Query plan & cost"),
      body
    );
  }

  function PlanIcon(props) {
    return h(
      "svg",
      Object.assign(
        {
          viewBox: "0 0 24 24",
          fill: "none",
          stroke: "currentColor",
          strokeWidth: 1.5,
          strokeLinecap: "round",
          strokeLinejoin: "round",
        },
        props
      ),
      h("rect", { x: 9, y: 2.75, width: 6, height: 4.5, rx: 1 }),
      h("rect", { x: 2.75, y: 16.75, width: 6, height: 4.5, rx: 1 }),
      h("rect", { x: 15.25, y: 16.75, width: 6, height: 4.5, rx: 1 }),
      h("path", { d: "M12 7.25V12M5.75 16.75V12h12.5v4.75" })
    );
  }

  var planPlugin = { title: "Query plan & cost", icon: PlanIcon, content: PlanPanel };

  // ---- start-up -------------------------------------------------------------------------------------------

  var fromLink = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  var headerNames = Object.keys(settings.headers || {});
  var props = {
    fetcher: fetcher,
    plugins: [planPlugin],
    isHeadersEditorEnabled: true,
  };
  if (headerNames.length) {
    // Shown open, so a developer sees which identity the operations run as.
    props.defaultHeaders = JSON.stringify(settings.headers, null, 2);
    props.defaultEditorToolsVisibility = "headers";
  }
  if (fromLink.get("query")) {
    props.query = fromLink.get("query");
    if (fromLink.get("variables")) props.variables = fromLink.get("variables");
    if (fromLink.get("operationName")) props.operationName = fromLink.get("operationName");
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(h(GraphiQL, props));
})();
