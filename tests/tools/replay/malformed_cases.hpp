#pragma once
// Malformed scenario files, each with the line, column and message its error must carry.
// Shared by the parser tests and the command-line tests.

#include <cstddef>
#include <string>
#include <vector>

struct MalformedCase {
  const char* name;
  std::string text;
  std::size_t line;
  std::size_t column;
  const char* message;  // a substring of the error message
};

inline const std::vector<MalformedCase>& malformed_cases() {
  static const std::vector<MalformedCase> cases = {
      {"empty_file", std::string("", 0), 1, 1, "empty file"},
      {"bom_only", std::string("\xEF""\xBB""\xBF""", 3), 1, 1, "empty file"},
      {"missing_header", std::string("at 0 call_later a 1\n", 20), 1, 1, "missing header"},
      {"blank_first_line", std::string("\ntxaio-scenario 1\n", 18), 1, 1, "found a blank line"},
      {"comment_first_line", std::string("# scenario\ntxaio-scenario 1\n", 28), 1, 1, "found a comment"},
      {"wrong_format_name", std::string("txaio-scenarios 1\n", 18), 1, 1, "missing header"},
      {"wrong_version", std::string("txaio-scenario 2\n", 17), 1, 16, "unsupported format version '2'"},
      {"missing_version", std::string("txaio-scenario\n", 15), 1, 15, "missing format version"},
      {"header_trailing_token", std::string("txaio-scenario 1 extra\n", 23), 1, 18, "unexpected 'extra'"},
      {"header_repeated", std::string("txaio-scenario 1\ntxaio-scenario 1\n", 34), 2, 1, "header repeated"},
      {"unknown_directive", std::string("txaio-scenario 1\nwait 5\n", 24), 2, 1, "unknown directive 'wait'"},
      {"directive_wrong_case", std::string("txaio-scenario 1\nAt 0 call_later a 1\n", 37), 2, 1, "unknown directive 'At'"},
      {"seed_negative", std::string("txaio-scenario 1\nseed -1\n", 25), 2, 6, "bad seed '-1'"},
      {"seed_overflow", std::string("txaio-scenario 1\nseed 18446744073709551616\n", 43), 2, 6, "out of range"},
      {"seed_missing_value", std::string("txaio-scenario 1\nseed\n", 22), 2, 5, "missing seed value"},
      {"seed_duplicate", std::string("txaio-scenario 1\nseed 1\nseed 2\n", 31), 3, 1, "duplicate 'seed'"},
      {"seed_after_ops", std::string("txaio-scenario 1\nat 0 call_later a 1\nseed 1\n", 44), 3, 1, "after the first 'at' line (line 2)"},
      {"ties_unknown", std::string("txaio-scenario 1\nties newest\n", 29), 2, 6, "unknown ties policy 'newest'"},
      {"time_two_dots", std::string("txaio-scenario 1\nat 1.2.3 call_later a 1\n", 41), 2, 4, "bad time '1.2.3'"},
      {"time_ten_decimals", std::string("txaio-scenario 1\nat 0 call_later a 0.1234567891\n", 48), 2, 19, "10 decimals"},
      {"delay_negative", std::string("txaio-scenario 1\nat 0 call_later a -1\n", 38), 2, 19, "negative"},
      {"delay_word_suffix", std::string("txaio-scenario 1\nat 0 call_later a 5sec\n", 40), 2, 19, "decimal seconds"},
      {"delay_fractional_ns", std::string("txaio-scenario 1\nat 0 call_later a 1.5ns\n", 41), 2, 19, "whole numbers"},
      {"delay_exponent", std::string("txaio-scenario 1\nat 0 call_later a 1e3\n", 39), 2, 19, "bad delay '1e3'"},
      {"time_out_of_range", std::string("txaio-scenario 1\nat 9223372037 call_later a 1\n", 46), 2, 4, "out of range"},
      {"due_out_of_range", std::string("txaio-scenario 1\nat 9000000000 call_later a 900000000\n", 54), 2, 28, "due time"},
      {"at_decreasing", std::string("txaio-scenario 1\nat 2 call_later a 1\nat 1 cancel a\n", 51), 3, 4, "before the previous 'at' time 2 (line 2)"},
      {"cancel_unknown_id", std::string("txaio-scenario 1\nat 0 cancel zz\n", 32), 2, 13, "unknown id 'zz'"},
      {"cancel_before_declared", std::string("txaio-scenario 1\nat 0 cancel a\nat 0 call_later a 1\n", 51), 2, 13, "unknown id 'a'"},
      {"expect_unknown_id", std::string("txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire q\n", 53), 3, 15, "unknown id 'q'"},
      {"duplicate_id", std::string("txaio-scenario 1\nat 0 call_later a 1\nat 0 call_later a 2\n", 57), 3, 17, "duplicate id 'a' (already declared on line 2)"},
      {"via_undeclared", std::string("txaio-scenario 1\nat 0 call_later a 1 via=B\n", 43), 2, 25, "unknown batched timer 'B'"},
      {"via_declared_too_late", std::string("txaio-scenario 1\nat 0 call_later a 1 via=B\nbatched B bucket=1\n", 62), 2, 25, "unknown batched timer 'B'"},
      {"batched_duplicate", std::string("txaio-scenario 1\nbatched B bucket=1\nbatched B bucket=2\n", 55), 3, 9, "duplicate batched timer 'B'"},
      {"bucket_below_1ms", std::string("txaio-scenario 1\nbatched B bucket=500us\n", 40), 2, 18, "below 1ms"},
      {"bucket_bad_number", std::string("txaio-scenario 1\nbatched B bucket=fast\n", 39), 2, 18, "bad bucket duration 'fast'"},
      {"chunk_zero", std::string("txaio-scenario 1\nbatched B bucket=1 chunk=0\n", 44), 2, 26, "chunk size 0"},
      {"chunk_not_a_number", std::string("txaio-scenario 1\nbatched B bucket=1 chunk=two\n", 46), 2, 26, "bad chunk size 'two'"},
      {"bucket_missing", std::string("txaio-scenario 1\nbatched B chunk=2\n", 35), 2, 18, "missing bucket="},
      {"batched_unknown_option", std::string("txaio-scenario 1\nbatched B bucket=1 size=2\n", 43), 2, 20, "unknown batched option 'size'"},
      {"batched_option_twice", std::string("txaio-scenario 1\nbatched B bucket=1 bucket=2\n", 45), 2, 20, "duplicate option 'bucket'"},
      {"expect_undeclared_batched", std::string("txaio-scenario 1\nexpect 1 bucket_fire Q 1/1\n", 44), 2, 22, "unknown batched timer 'Q'"},
      {"line_too_long", std::string("txaio-scenario 1\n# ") + std::string(5000, 'x') + "\n", 2, 4097, "5002 bytes long"},
      {"invalid_utf8_latin1", std::string("txaio-scenario 1\n# caf\xE9""\n", 24), 2, 6, "invalid UTF-8 byte 0xE9"},
      {"invalid_utf8_overlong", std::string("txaio-scenario 1\nat 0 call_later a 1 raise=\xC0""\xAF""\n", 46), 2, 27, "invalid UTF-8 byte 0xC0"},
      {"invalid_utf8_truncated", std::string("txaio-scenario 1\n# \xE2""\x82""\n", 22), 2, 3, "invalid UTF-8 byte 0xE2"},
      {"invalid_utf8_surrogate", std::string("txaio-scenario 1\n# \xED""\xA0""\x80""\n", 23), 2, 3, "invalid UTF-8 byte 0xED"},
      {"control_character", std::string("txaio-scenario 1\nat 0\x01"" call_later a 1\n", 38), 2, 5, "control character 0x01"},
      {"nul_byte", std::string("txaio-scenario 1\nseed 1\x00""\n", 25), 2, 7, "control character 0x00"},
      {"unknown_op", std::string("txaio-scenario 1\nat 0 schedule a 1\n", 35), 2, 6, "unknown op 'schedule'"},
      {"at_missing_time", std::string("txaio-scenario 1\nat\n", 20), 2, 3, "missing time"},
      {"call_later_missing_delay", std::string("txaio-scenario 1\nat 0 call_later a\n", 35), 2, 18, "missing delay"},
      {"call_later_unknown_option", std::string("txaio-scenario 1\nat 0 call_later a 1 repeat=2\n", 46), 2, 21, "unexpected 'repeat=2'"},
      {"call_later_bad_id", std::string("txaio-scenario 1\nat 0 call_later a/b 1\n", 39), 2, 17, "bad call id 'a/b'"},
      {"cancel_trailing_token", std::string("txaio-scenario 1\nat 0 call_later a 1\nat 0 cancel a b\n", 53), 3, 15, "unexpected 'b'"},
      {"raise_empty", std::string("txaio-scenario 1\nat 0 call_later a 1 raise=\"\"\n", 46), 2, 27, "empty raise= message"},
      {"raise_unterminated_quote", std::string("txaio-scenario 1\nat 0 call_later a 1 raise=\"boom\n", 49), 2, 27, "unterminated quoted text"},
      {"raise_bad_escape", std::string("txaio-scenario 1\nat 0 call_later a 1 raise=\"a\\q\"\n", 49), 2, 29, "unknown escape '\\q'"},
      {"expect_unknown_kind", std::string("txaio-scenario 1\nat 0 call_later a 1\nexpect 1 ran a\n", 52), 3, 10, "unknown event kind 'ran'"},
      {"expect_error_without_message", std::string("txaio-scenario 1\nat 0 call_later a 1\nexpect 1 error a\n", 54), 3, 17, "missing error message"},
      {"expect_fire_trailing_token", std::string("txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a now\n", 57), 3, 17, "unexpected 'now'"},
      {"bucket_fire_chunk_zero", std::string("txaio-scenario 1\nbatched B bucket=1\nexpect 1 bucket_fire B 0/2\n", 63), 3, 24, "bad chunk '0/2'"},
      {"run_twice", std::string("txaio-scenario 1\nrun 1\nrun 2\n", 29), 3, 1, "duplicate 'run'"},
      {"run_before_last_op", std::string("txaio-scenario 1\nat 5 call_later a 1\nrun 2\n", 43), 3, 5, "run time '2' is before the last 'at' time 5"},
      {"no_break_space_between_tokens", std::string("txaio-scenario 1\nat\xC2""\xA0""0 call_later a 1\n", 38), 2, 3, "invisible character U+00A0 no-break space in 'at<U+00A0>0': expected ASCII spaces or tabs"},
      {"zero_width_space_in_id", std::string("txaio-scenario 1\nat 0 call_later a\xE2""\x80""\x8B""b 1\n", 41), 2, 18, "invisible character U+200B zero width space in 'a<U+200B>b'"},
      {"double_bom", std::string("\xEF""\xBB""\xBF""\xEF""\xBB""\xBF""txaio-scenario 1\n", 23), 1, 1, "invisible character U+FEFF zero width no-break space (byte order mark) in '<U+FEFF>txaio-scenario': expected a byte order mark only as the first character"},
      {"bom_on_a_later_line", std::string("txaio-scenario 1\n\xEF""\xBB""\xBF""at 0 call_later a 1\n", 40), 2, 1, "invisible character U+FEFF"},
      {"at_after_run", std::string("txaio-scenario 1\nrun 2\nat 3 call_later a 1\n", 43), 3, 1, "'at' after 'run' (line 2)"},
      {"and_without_at", std::string("txaio-scenario 1\nand call_later a 1\n", 36), 2, 1, "'and' without an earlier 'at' line"},
      {"and_unknown_op", std::string("txaio-scenario 1\nat 0 call_later a 1\nand fire a\n", 48), 3, 5, "unknown op 'fire'"},
      {"on_unknown_parent", std::string("txaio-scenario 1\non a cancel b\n", 31), 2, 4, "unknown id 'a'"},
      {"on_parent_declared_later", std::string("txaio-scenario 1\non a call_later b 1\nat 0 call_later a 1\n", 56), 2, 4, "unknown id 'a'"},
      {"on_unknown_target", std::string("txaio-scenario 1\nat 0 call_later a 1\non a cancel b\n", 51), 3, 13, "unknown id 'b'"},
      {"on_missing_op", std::string("txaio-scenario 1\nat 0 call_later a 1\non a\n", 43), 3, 5, "missing op"},
      {"on_unknown_op", std::string("txaio-scenario 1\nat 0 call_later a 1\non a fire a\n", 50), 3, 6, "unknown op 'fire'"},
      {"on_after_run", std::string("txaio-scenario 1\nat 0 call_later a 1\nrun 2\non a cancel a\n", 57), 4, 1, "'on' after 'run' (line 3)"},
      {"on_duplicate_id", std::string("txaio-scenario 1\nat 0 call_later a 1\non a call_later a 1\n", 57), 3, 17, "duplicate id 'a'"},
  };
  return cases;
}
