// gqlbase playground: mounts GraphiQL (loaded before this script, with React) on #graphiql,
// with the options the server wrote into the element's data attributes. Queries and mutations
// go over HTTP POST, subscriptions over WebSocket (graphql-transport-ws). Credentials go in
// the Headers tab, e.g. {"Authorization": "Bearer <token>"}: GraphiQL sends them as HTTP
// headers and in the WebSocket connection_init payload, never in URLs.
//
// GraphiQL fetches the schema once, with the headers it has then: a page opened without a
// token would show "Error fetching schema" until its re-fetch icon is clicked. So when the
// headers change (and parse), the page hands GraphiQL a new fetcher, which makes it
// introspect again with them; and when the server offers a sample query (data-sample-query-
// url), the page fetches it with the same headers and opens on it while the editor still
// holds the default text.
(function () {
  'use strict';

  var container = document.getElementById('graphiql');
  var options = container.dataset;

  var endpoint = new URL(options.endpoint || '/graphql', window.location.href);
  var subscriptions = new URL(options.subscriptionEndpoint || endpoint.href, window.location.href);
  if (subscriptions.protocol === 'https:') {
    subscriptions.protocol = 'wss:';
  } else if (subscriptions.protocol === 'http:') {
    subscriptions.protocol = 'ws:';
  }

  var baseFetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    subscriptionUrl: subscriptions.href,
  });
  // newFetcher returns a fetcher GraphiQL has not seen: its identity is what makes GraphiQL
  // fetch the schema again.
  function newFetcher() {
    return function (params, opts) {
      return baseFetcher(params, opts);
    };
  }

  var defaultQuery = options.defaultQuery || '';
  var lastHeaders = '';
  var timer = 0;

  // parseHeaders returns the headers object the editor's text names, or null while it is
  // not (yet) a JSON object.
  function parseHeaders(text) {
    if (!text || !text.trim()) {
      return {};
    }
    try {
      var h = JSON.parse(text);
      return h && typeof h === 'object' && !Array.isArray(h) ? h : null;
    } catch (e) {
      return null;
    }
  }

  function queryEditor() {
    var el = document.querySelector('.graphiql-query-editor .CodeMirror');
    return el && el.CodeMirror;
  }

  // loadSampleQuery replaces the default text with the server's sample query for these
  // headers; it leaves anything the user wrote alone.
  function loadSampleQuery(headers) {
    if (!options.sampleQueryUrl) {
      return;
    }
    var holdsDefault = function () {
      var cm = queryEditor();
      return cm && cm.getValue().trim() === defaultQuery.trim();
    };
    if (!holdsDefault()) {
      return;
    }
    fetch(new URL(options.sampleQueryUrl, window.location.href).href, { headers: headers })
      .then(function (res) {
        return res.ok ? res.text() : null;
      })
      .then(function (text) {
        if (text && holdsDefault()) {
          queryEditor().setValue(text);
        }
      })
      .catch(function () {
        // Offline or refused: the default text stays, and says what to do.
      });
  }

  function headersEdited(text) {
    clearTimeout(timer);
    // Wait for a pause in typing: each keystroke would otherwise fetch the schema.
    timer = setTimeout(function () {
      var headers = parseHeaders(text);
      if (headers === null || text === lastHeaders) {
        return;
      }
      lastHeaders = text;
      props.fetcher = newFetcher();
      render();
      loadSampleQuery(headers);
    }, 400);
  }

  var props = {
    fetcher: newFetcher(),
    defaultEditorToolsVisibility: 'headers',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    onEditHeaders: headersEdited,
    // One playground per endpoint: each keeps its tabs and queries apart in localStorage.
    storage: GraphiQL.createLocalStorage({
      namespace: 'gqlbase:' + endpoint.pathname,
    }),
  };
  if (defaultQuery) {
    props.defaultQuery = defaultQuery;
  }

  container.textContent = '';
  var root = ReactDOM.createRoot(container);
  function render() {
    root.render(React.createElement(GraphiQL, Object.assign({}, props)));
  }
  render();
})();
