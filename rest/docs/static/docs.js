// Renders /docs/openapi.json: one section per tag (dialect), its served operations first and
// the unserved ones (501) in a collapsed group, one collapsible entry per operation with its
// parameters, request body schema and responses. No dependencies.
(function () {
  "use strict";
  var ops = document.getElementById("ops");
  var toc = document.getElementById("toc");
  var filter = document.getElementById("filter");

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { e.appendChild(c); } });
    return e;
  }

  // example turns a JSON schema into a sample value, for reading at a glance.
  function example(s, depth) {
    if (!s || depth > 6) { return null; }
    var t = Array.isArray(s.type) ? s.type[0] : s.type;
    if (t === "object" || s.properties) {
      var o = {};
      Object.keys(s.properties || {}).sort().forEach(function (k) { o[k] = example(s.properties[k], depth + 1); });
      if (!s.properties && s.additionalProperties) { o["<key>"] = example(s.additionalProperties, depth + 1); }
      return o;
    }
    if (t === "array") { return [example(s.items, depth + 1)]; }
    if (t === "string") { return s.format === "date-time" ? "2026-01-01T00:00:00Z" : "string"; }
    if (t === "integer" || t === "number") { return 0; }
    if (t === "boolean") { return false; }
    return null;
  }

  function descriptions(s, prefix, out) {
    if (!s || !s.properties || prefix.split(".").length > 4) { return out; }
    Object.keys(s.properties).sort().forEach(function (k) {
      var p = s.properties[k];
      var name = prefix ? prefix + "." + k : k;
      if (p.description) { out.push([name, p.description, (s.required || []).indexOf(k) >= 0]); }
      descriptions(p, name, out);
    });
    return out;
  }

  function schemaBlock(title, schema) {
    var nodes = [el("h4", { text: title }), el("pre", {}, [el("code", { text: JSON.stringify(example(schema, 0), null, 2) })])];
    var notes = descriptions(schema, "", []);
    if (notes.length) {
      var rows = notes.map(function (n) {
        return el("tr", {}, [el("td", {}, [el("code", { text: n[0] + (n[2] ? " *" : "") })]), el("td", { text: n[1] })]);
      });
      nodes.push(el("table", {}, rows));
    }
    return nodes;
  }

  function operation(path, method, op) {
    var summary = el("summary", {}, [
      el("span", { "class": "method " + method, text: method.toUpperCase() }),
      el("span", { "class": "path", text: path }),
      el("span", { "class": "summary", text: op.summary || "" }),
      op.responses && op.responses["501"] ? el("span", { "class": "na", text: "not available" }) : null
    ]);
    var body = el("div", { "class": "body" });
    if (op.description) { body.appendChild(el("p", { text: op.description })); }
    if (!op.security) { body.appendChild(el("p", { "class": "summary", text: "No credentials needed." })); }
    if (op.parameters && op.parameters.length) {
      body.appendChild(el("h4", { text: "Parameters" }));
      var rows = [el("tr", {}, [el("th", { text: "name" }), el("th", { text: "in" }), el("th", { text: "type" }), el("th", { text: "" })])];
      op.parameters.forEach(function (p) {
        var t = (p.schema || {}).type;
        rows.push(el("tr", {}, [
          el("td", {}, [el("code", { text: p.name + (p.required ? " *" : "") })]),
          el("td", { text: p["in"] }),
          el("td", {}, [el("code", { text: Array.isArray(t) ? t.join(" | ") : (t || "") })]),
          el("td", { "class": "param-doc", text: p.description || "" })
        ]));
      });
      body.appendChild(el("table", {}, rows));
    }
    if (op.requestBody) {
      schemaBlock("Request body", op.requestBody.content["application/json"].schema).forEach(function (n) { body.appendChild(n); });
      if (op.requestBody.description) { body.appendChild(el("p", { "class": "summary", text: op.requestBody.description })); }
    }
    Object.keys(op.responses || {}).forEach(function (code) {
      var r = op.responses[code];
      var content = r.content || {};
      var types = Object.keys(content);
      if (!types.length) {
        body.appendChild(el("h4", { text: "Response " + code + " — " + r.description }));
        return;
      }
      if (types[0] !== "application/json") {
        body.appendChild(el("h4", { text: "Response " + code + " — " + types[0] }));
        return;
      }
      schemaBlock("Response " + code + (code === "default" ? " (error)" : ""), content[types[0]].schema).forEach(function (n) { body.appendChild(n); });
    });
    var d = el("details", { "class": "op" }, [summary, body]);
    d.dataset.search = (method + " " + path + " " + (op.summary || "")).toLowerCase();
    return d;
  }

  // unavailable tells the routes gqlbase does not serve (they answer 501) from the rest.
  function unavailable(op) {
    return op["x-gqlbase-unavailable"] === true || !!(op.responses && op.responses["501"]);
  }

  // render shows each dialect's served operations first and its unserved ones apart, in a
  // collapsed group, so the routes that work are what a reader sees.
  function render(doc) {
    ops.textContent = "";
    var byTag = {};
    (doc.tags || []).forEach(function (t) { byTag[t.name] = { tag: t, served: [], unserved: [] }; });
    Object.keys(doc.paths).sort().forEach(function (path) {
      ["get", "post", "put", "patch", "delete"].forEach(function (m) {
        var op = doc.paths[path][m];
        if (!op) { return; }
        var tag = (op.tags || ["other"])[0];
        if (!byTag[tag]) { byTag[tag] = { tag: { name: tag }, served: [], unserved: [] }; }
        (unavailable(op) ? byTag[tag].unserved : byTag[tag].served).push(operation(path, m, op));
      });
    });
    Object.keys(byTag).forEach(function (name) {
      var g = byTag[name];
      var id = "dialect-" + name;
      var count = g.served.length + " served" + (g.unserved.length ? ", " + g.unserved.length + " not available" : "");
      toc.appendChild(el("a", { href: "#" + id, text: name + " (" + count + ")" }));
      var section = el("section", { "class": "dialect", id: id }, [
        el("h2", { text: name }), el("p", { text: g.tag.description || "" })
      ]);
      var served = el("div", { "class": "served" }, [el("h3", { text: "Served (" + g.served.length + ")" })]);
      g.served.forEach(function (i) { served.appendChild(i); });
      section.appendChild(served);
      if (g.unserved.length) {
        var rest = el("details", { "class": "unavailable" }, [
          el("summary", { text: "Not available in gqlbase (" + g.unserved.length + "): these routes answer 501 NOT_IMPLEMENTED" })
        ]);
        g.unserved.forEach(function (i) { rest.appendChild(i); });
        section.appendChild(rest);
      }
      ops.appendChild(section);
    });
  }

  filter.addEventListener("input", function () {
    var q = filter.value.toLowerCase();
    Array.prototype.forEach.call(document.querySelectorAll("details.op"), function (d) {
      d.hidden = q !== "" && d.dataset.search.indexOf(q) < 0;
    });
    Array.prototype.forEach.call(document.querySelectorAll("div.served"), function (g) {
      g.hidden = q !== "" && g.querySelectorAll("details.op:not([hidden])").length === 0;
    });
    // a filter opens the unserved groups it matches in and hides the others
    Array.prototype.forEach.call(document.querySelectorAll("details.unavailable"), function (g) {
      var shown = g.querySelectorAll("details.op:not([hidden])").length;
      g.hidden = q !== "" && shown === 0;
      g.open = q !== "" && shown > 0;
    });
  });

  fetch("/docs/openapi.json").then(function (r) { return r.json(); }).then(render).catch(function (e) {
    ops.textContent = "";
    ops.appendChild(el("p", { "class": "error", text: "The document could not be loaded: " + e }));
  });
})();
