"""The report pictures' parts, one module each; `exports.diagrams` is their public face.

- `style`: sizes, fonts, spacing and marks of both pictures.
- `text`: matplotlib's set-up, the fonts, and label text (cleaning, wrapping, missing glyphs).
- `canvas`: reading causes and links, measuring and placing text, PNG and SVG output.
- `fishbone`: the fishbone (Ishikawa) picture.
- `graph`: the cause graph picture.

Nothing here imports matplotlib at module level: start-up and `import exports` stay light.
"""
