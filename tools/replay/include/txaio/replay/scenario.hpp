#pragma once
/// The scenario model as `txaio-replay` uses it: the names of `<txaio/scenario.hpp>` (the one
/// model of the format, shared with `sim::Recorder`) in `txaio::replay`.

#include "txaio/scenario.hpp"

namespace txaio::replay {

using scenario::BatchedDecl;
using scenario::Call;
using scenario::Event;
using scenario::EventKind;
using scenario::Expect;
using scenario::Op;
using scenario::OpKind;
using scenario::ParseError;
using scenario::Scenario;
using scenario::Ties;
using scenario::append_event;
using scenario::append_time;
using scenario::format_event;
using scenario::format_time;
using scenario::header_line;
using scenario::is_trace_kind;
using scenario::max_id_bytes;
using scenario::max_line_bytes;
using scenario::parse_scenario;
using scenario::parse_ties;
using scenario::parse_time;
using scenario::parse_u64;
using scenario::quote_message;
using scenario::quote_token;
using scenario::to_string;

}  // namespace txaio::replay
