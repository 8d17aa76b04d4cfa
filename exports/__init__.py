"""Report writers: what leaves the terminal. No Textual here; each writer takes the service's
plain objects and writes one format through `exports.safety`."""
