"""Upper bounds on what one request may ask for, so no request can tie up the server.

The parameter declarations use these as their maxima, so they appear in the OpenAPI document.
"""

MAX_ITEMS = 1000  # items per page, nodes in a neighbourhood, backing chains
MAX_OFFSET = 1_000_000
MAX_RADIUS = 3  # neighbourhood hops
MAX_PATH_LENGTH = 8  # hops in a path
MAX_K = 20  # k for k_shortest paths
MAX_PATHS = 100  # paths returned by all_simple
MAX_TOP = 1000  # centrality ranking length

MAX_CONTENT_LENGTH = 1024 * 1024  # request body bytes (the API takes none; 413 beyond)
MAX_QUERY_STRING_BYTES = 4096  # 414 beyond
QUERY_TIME_LIMIT_SECONDS = 10.0

# The HTTP server (api/server.py): a slow or idle client cannot hold it.
MAX_CONNECTIONS = 256  # open connections; beyond, the least recently active idle one closes
REQUEST_TIMEOUT_SECONDS = 20.0  # from a request's first byte to its last (headers and body)
IDLE_TIMEOUT_SECONDS = 60  # a keep-alive connection without a request closes after this
MAX_HEADER_BYTES = 64 * 1024  # request line and headers; 431 beyond
