/* A stand-in for MegaCli64 for bench/run raid-hw: prints the saved output of the command asked
 * (-LDInfo/-LdInfo, -PDList, -AdpBbuCmd) from $FAKE_MEGACLI_DIR/{ld,pd,bbu}. Both check_raids run
 * it the same way (three calls each). A static C program, not a shell script: a shell and cat
 * per call would cost more than the plugin being measured and hide the difference.
 * Built by bench/run: musl-gcc -static -O2 -o MegaCli64 fake-MegaCli64.c */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *dir = getenv("FAKE_MEGACLI_DIR"), *name = NULL;
    for (int i = 1; i < argc && !name; i++) {
        if (!strcasecmp(argv[i], "-LDInfo")) name = "ld";
        else if (!strcmp(argv[i], "-PDList")) name = "pd";
        else if (!strcmp(argv[i], "-AdpBbuCmd")) name = "bbu";
    }
    if (!dir || !name) {
        fputs("fake MegaCli64: unknown command or FAKE_MEGACLI_DIR unset\n", stderr);
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) { perror(path); return 1; }
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write(1, buf, (size_t)n) != n) return 1;
    return 0;
}
