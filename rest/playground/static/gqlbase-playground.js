// gqlbase playground: mounts GraphiQL (loaded before this script, with React) on #graphiql,
// with the options the server wrote into the element's data attributes. Queries and mutations
// go over HTTP POST, subscriptions over WebSocket (graphql-transport-ws). Credentials go in
// the Headers tab, e.g. {"Authorization": "Bearer <token>"}: GraphiQL sends them as HTTP
// headers and in the WebSocket connection_init payload, never in URLs.
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

  var fetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    subscriptionUrl: subscriptions.href,
  });

  var props = {
    fetcher: fetcher,
    defaultEditorToolsVisibility: 'headers',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    // One playground per endpoint: each keeps its tabs and queries apart in localStorage.
    storage: GraphiQL.createLocalStorage({
      namespace: 'gqlbase:' + endpoint.pathname,
    }),
  };
  if (options.defaultQuery) {
    props.defaultQuery = options.defaultQuery;
  }

  container.textContent = '';
  ReactDOM.createRoot(container).render(React.createElement(GraphiQL, props));
})();
