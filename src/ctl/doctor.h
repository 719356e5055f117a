/* src/ctl/doctor.h: `hermesctl doctor` — check an installation and say
 * what to fix.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_CTL_DOCTOR_H
#define HERMES_CTL_DOCTOR_H

#include <stdio.h>

/* Run every check, one line each to out:
 *   ok <check>: <what was seen>
 *   warn <check>: <problem> fix: <what to do>
 *   FAIL <check>: <problem> fix: <what to do>
 * Returns 1 if any check failed, else 0. */
int ctl_doctor(FILE *out);

#endif
