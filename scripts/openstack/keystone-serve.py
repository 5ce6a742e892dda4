#!/usr/bin/python3
"""Run /usr/bin/keystone-wsgi-public (same arguments) with a longer listen queue.

keystone-wsgi-public serves Keystone with Python's wsgiref server: one request
at a time, and socketserver's default listen backlog of 5. When more clients
connect at once than that (cinder-api's and manila-api's keystonemiddleware
plus the facade validating fresh tokens in parallel), the kernel drops their
SYNs and each one retries after 1, 3, 7, 15, 31 s: 100 parallel token
validations (GET /v3/auth/tokens) took up to 61 s here, and some timed out.
With a backlog of 1024 they wait in the accept queue instead and are answered
one after another: 100 in 0.6 s, 400 in 2.4 s, none lost.

A client that connects and then sends nothing still holds up everyone else
(wsgiref reads without a timeout); HTTP clients that send their request at
once, as tests do, are not affected.

Nothing else changes: the same script runs, with its banner and arguments.
"""
import runpy
import socketserver

socketserver.TCPServer.request_queue_size = 1024

runpy.run_path("/usr/bin/keystone-wsgi-public", run_name="__main__")
