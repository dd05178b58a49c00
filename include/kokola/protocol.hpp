// The control protocol spoken on kokola-syncd's Unix socket (docs/control-protocol.md):
// newline-delimited JSON, one request at a time per connection, zero or more progress lines
// and exactly one final result per request. This header is the single definition of the
// framing, the field rules and the error codes, shared by the daemon's server and by
// kokolactl. It brings its two parts: the envelope (framing, ids, commands, error codes,
// result lines: protocol_envelope.hpp) and the arguments of each command (protocol_args.hpp).
// Header-only so that kokolactl never links the daemon's core. Every function is pure and
// never throws; any thread.
#pragma once

#include "kokola/protocol_args.hpp"
#include "kokola/protocol_envelope.hpp"
