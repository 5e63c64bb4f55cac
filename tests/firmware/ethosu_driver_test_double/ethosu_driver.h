/* Test double of ethos-u-core-driver's public header: the subset of its C API that
 * firmware/executors/ethos_u uses, with the driver's names and signatures, so that the executor
 * compiles unchanged against either. Nothing here drives hardware; ethosu_driver_test_double.c
 * records what it is handed, and ethosu_driver_test_double_control.h lets a test steer it.
 * The real header comes from Arm's ethos-u-core-driver (docs/ethos-u.md). */
#ifndef INFERD_TESTS_ETHOSU_DRIVER_TEST_DOUBLE_ETHOSU_DRIVER_H_
#define INFERD_TESTS_ETHOSU_DRIVER_TEST_DOUBLE_ETHOSU_DRIVER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque to the executor, as far as it is concerned; the double keeps its state elsewhere. */
struct ethosu_driver {
  int index;
};

struct ethosu_driver* ethosu_reserve_driver(void);
void ethosu_release_driver(struct ethosu_driver* drv);

/* Starts a job: 0, or negative when the driver refuses the payload. */
int ethosu_invoke_async(struct ethosu_driver* drv, const void* custom_data_ptr,
                        const int custom_data_size, uint64_t* const base_addr,
                        const size_t* base_addr_size, const int num_base_addr, void* user_arg);

/* With block == false: 1 while the job runs, 0 when it finished well, -1 when it failed, -2 when
 * no job was started. */
int ethosu_wait(struct ethosu_driver* drv, bool block);

#ifdef __cplusplus
}
#endif

#endif /* INFERD_TESTS_ETHOSU_DRIVER_TEST_DOUBLE_ETHOSU_DRIVER_H_ */
