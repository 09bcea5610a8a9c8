/* SPDX-License-Identifier: MIT */
/* What a person can do about a source that could not be read, appended to "cannot read FILE: error". */
#pragma once

/* " (...)" for errors with an action or an explanation, "" otherwise; error is a negative errno. */
const char *source_error_hint(int error);
