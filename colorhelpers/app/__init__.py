"""Part 11, in the browser (README, "In the browser"): a local web app over the colorize road.

`uploads` checks what a visitor drops (by content, within limits), `session` holds one browser
tab's picture, hints and reference and colors it through `colorhelpers.hints.HintColorizer`,
`ui` lays the page out in Gradio, and `serve` starts it on the loopback. Nothing else in the
package imports this part: it sits at the end of the data flow.
"""
