// The adapter is built in its own issue; the package exists so the workspace layout is complete.
export {}
