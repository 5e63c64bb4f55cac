/* What ethos-u-core-driver's sources take from CMSIS-Core's cmsis_compiler.h: the __WFE and __SEV
 * instructions of its bare-metal semaphore. CMSIS is not a Debian package; this stands in for it
 * when the build is given no INFERD_CMSIS_CORE_DIR (docs/ethos-u.md). Written for inferd, not a
 * copy of CMSIS. */
#ifndef INFERD_FIRMWARE_ETHOS_U_DRIVER_PORT_CMSIS_COMPILER_H_
#define INFERD_FIRMWARE_ETHOS_U_DRIVER_PORT_CMSIS_COMPILER_H_

#define __WFE() __asm volatile("wfe" ::: "memory")
#define __SEV() __asm volatile("sev" ::: "memory")

#endif /* INFERD_FIRMWARE_ETHOS_U_DRIVER_PORT_CMSIS_COMPILER_H_ */
