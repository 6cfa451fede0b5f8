/* golxc's <lxc/version.h>: the LXC release whose API golxc's liblxc.so.1
 * implements. */
#ifndef GOLXC_LXC_VERSION_H
#define GOLXC_LXC_VERSION_H

#define LXC_VERSION_MAJOR 5
#define LXC_VERSION_MINOR 0
#define LXC_VERSION_MICRO 2
#define LXC_VERSION_ABI "1.7.0"
#define LXC_VERSION "5.0.2"
#define LXC_DEVEL 0

#endif
