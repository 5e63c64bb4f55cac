/* How a test steers the ethos-u-core-driver test double and reads what the executor handed it:
 * the driver payload pointer and size, the base-address regions, and the PMU configuration at
 * the moment the job started. The test chooses what invoke and wait answer, how many polls the
 * "NPU" runs for, what the counters read, and what the NPU writes into the regions. */
#ifndef INFERD_TESTS_ETHOSU_DRIVER_TEST_DOUBLE_CONTROL_H_
#define INFERD_TESTS_ETHOSU_DRIVER_TEST_DOUBLE_CONTROL_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ETHOSU_TEST_DOUBLE_MAX_REGIONS 8
#define ETHOSU_TEST_DOUBLE_COUNTERS 4
/* polls_while_running: the job never finishes on its own (only a release ends it). */
#define ETHOSU_TEST_DOUBLE_RUNS_FOREVER (-1)

struct ethosu_test_double_job {
  const void* custom_data;
  int custom_data_size;
  uint64_t base_addr[ETHOSU_TEST_DOUBLE_MAX_REGIONS];
  size_t base_addr_size[ETHOSU_TEST_DOUBLE_MAX_REGIONS];
  int num_base_addr;
  void* user_arg;
};

struct ethosu_test_double_pmu {
  int enabled;                                       /* PMU enabled and not disabled since */
  uint32_t event_types[ETHOSU_TEST_DOUBLE_COUNTERS]; /* ETHOSU_PMU_Set_EVTYPER per counter */
  uint32_t counter_mask;                             /* ETHOSU_PMU_CNTR_Enable bits */
  uint32_t cycle_start_event, cycle_stop_event;      /* PMCCNTR_CFG start/stop events */
  int cycle_counter_reset, event_counters_reset;
};

struct ethosu_test_double_script {
  int no_driver;     /* ethosu_reserve_driver returns NULL (the board never ran ethosu_init) */
  int invoke_result; /* what ethosu_invoke_async returns; non-zero: the job never starts */
  int polls_while_running; /* ethosu_wait(drv, false) answers 1 this many times before finishing */
  int wait_result;         /* what ethosu_wait returns when the job finishes: 0 or -1 */
  uint64_t npu_cycles;     /* the cycle counter once the job finished */
  uint32_t event_counts[ETHOSU_TEST_DOUBLE_COUNTERS]; /* the event counters once it finished */
  /* The "NPU": called when the job finishes well, to write outputs into the regions. */
  void (*on_finish)(const struct ethosu_test_double_job* job, void* context);
  /* Called at each poll that finds the job running (a test delivers a CANCEL from here). */
  void (*on_poll)(void* context);
  void* context;
};

struct ethosu_test_double_record {
  int reserves, releases, invokes, waits;
  int reserved_now;           /* reserved and not released */
  int released_while_running; /* releases of a running job (the real driver soft-resets the NPU) */
  int pmu_enable_balance;     /* Enable minus Disable calls */
  struct ethosu_test_double_job last_job;
  struct ethosu_test_double_pmu pmu_at_start; /* as it was when ethosu_invoke_async was called */
};

/* Forgets everything recorded and adopts `script` (NULL: everything zero, a job that finishes at
 * the first poll with result 0). */
void ethosu_test_double_reset(const struct ethosu_test_double_script* script);
const struct ethosu_test_double_record* ethosu_test_double_recorded(void);

#ifdef __cplusplus
}
#endif

#endif /* INFERD_TESTS_ETHOSU_DRIVER_TEST_DOUBLE_CONTROL_H_ */
