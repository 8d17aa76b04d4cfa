"""Pure functions that judge an investigation: one module per method, data beside the code.

Nothing here touches the database; each rule takes plain objects and returns values or findings.
"""
