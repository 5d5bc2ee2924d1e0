"""The local vendor simulator: a real HTTP server that behaves like the vendor API (docs/api-contract.md).

It stands alone: nothing here imports the rest of the app. `app.sandbox.server.SandboxServer` runs it in-process
on a free loopback port; `giftbatch sandbox serve` and `python -m app.sandbox` run it in the foreground. This
package file imports nothing, so reading `app.sandbox.constants` does not load the web server.
"""
