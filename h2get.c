/* SPDX-License-Identifier: MIT */
/* h2get entry point: placeholder until the CLI lands. */
#include <stdio.h>

int main(void)
{
    puts("h2get " H2GET_VERSION);
    return 0;
}
