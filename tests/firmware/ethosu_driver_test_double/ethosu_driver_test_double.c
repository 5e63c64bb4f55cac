/* The ethos-u-core-driver test double: a driver with one NPU whose jobs "run" for as many polls as
 * the test's script says. It records what it is handed (ethosu_driver_test_double_control.h).
 * Plain C with static state and no library calls beyond memset, so it also links into the
 * Cortex-M55 image that the QEMU test boots (QEMU models no NPU). */
#include <string.h>

#include "ethosu_driver.h"
#include "ethosu_driver_test_double_control.h"
#include "pmu_ethosu.h"

enum job_state { JOB_IDLE, JOB_RUNNING };

static struct ethosu_driver the_driver;
static struct ethosu_test_double_script script;
static struct ethosu_test_double_record record;
static struct ethosu_test_double_pmu pmu;
static enum job_state state = JOB_IDLE;
static int polls_left;
static int finished; /* the last job finished well: the counters read the script's values */

void ethosu_test_double_reset(const struct ethosu_test_double_script* new_script) {
  memset(&script, 0, sizeof script);
  if (new_script != NULL) script = *new_script;
  memset(&record, 0, sizeof record);
  memset(&pmu, 0, sizeof pmu);
  state = JOB_IDLE;
  polls_left = 0;
  finished = 0;
}

const struct ethosu_test_double_record* ethosu_test_double_recorded(void) { return &record; }

struct ethosu_driver* ethosu_reserve_driver(void) {
  if (script.no_driver || record.reserved_now) return NULL;
  ++record.reserves;
  record.reserved_now = 1;
  return &the_driver;
}

void ethosu_release_driver(struct ethosu_driver* drv) {
  if (drv != &the_driver || !record.reserved_now) return;
  ++record.releases;
  record.reserved_now = 0;
  if (state == JOB_RUNNING) {
    ++record.released_while_running;
    state = JOB_IDLE;
  }
}

int ethosu_invoke_async(struct ethosu_driver* drv, const void* custom_data_ptr,
                        const int custom_data_size, uint64_t* const base_addr,
                        const size_t* base_addr_size, const int num_base_addr, void* user_arg) {
  int i;
  if (drv != &the_driver || state != JOB_IDLE) return -1;
  ++record.invokes;
  memset(&record.last_job, 0, sizeof record.last_job);
  record.last_job.custom_data = custom_data_ptr;
  record.last_job.custom_data_size = custom_data_size;
  record.last_job.num_base_addr = num_base_addr;
  record.last_job.user_arg = user_arg;
  for (i = 0; i < num_base_addr && i < ETHOSU_TEST_DOUBLE_MAX_REGIONS; ++i) {
    record.last_job.base_addr[i] = base_addr[i];
    record.last_job.base_addr_size[i] = base_addr_size[i];
  }
  record.pmu_at_start = pmu;
  finished = 0;
  if (script.invoke_result != 0) return script.invoke_result;
  state = JOB_RUNNING;
  polls_left = script.polls_while_running;
  return 0;
}

int ethosu_wait(struct ethosu_driver* drv, bool block) {
  ++record.waits;
  if (drv != &the_driver || state != JOB_RUNNING) return -2;
  if (!block && (polls_left == ETHOSU_TEST_DOUBLE_RUNS_FOREVER || polls_left-- > 0)) {
    if (script.on_poll != NULL) script.on_poll(script.context);
    return 1;
  }
  state = JOB_IDLE;
  if (script.wait_result != 0) return script.wait_result;
  finished = 1;
  if (script.on_finish != NULL) script.on_finish(&record.last_job, script.context);
  return 0;
}

void ETHOSU_PMU_Enable(struct ethosu_driver* drv) {
  (void)drv;
  ++record.pmu_enable_balance;
  pmu.enabled = 1;
}

void ETHOSU_PMU_Disable(struct ethosu_driver* drv) {
  (void)drv;
  --record.pmu_enable_balance;
  pmu.enabled = 0;
}

uint32_t ETHOSU_PMU_Get_NumEventCounters(void) { return ETHOSU_PMU_NCOUNTERS; }

void ETHOSU_PMU_Set_EVTYPER(struct ethosu_driver* drv, uint32_t num,
                            enum ethosu_pmu_event_type type) {
  (void)drv;
  if (num < ETHOSU_TEST_DOUBLE_COUNTERS) pmu.event_types[num] = (uint32_t)type;
}

void ETHOSU_PMU_PMCCNTR_CFG_Set_Start_Event(struct ethosu_driver* drv,
                                            enum ethosu_pmu_event_type start_event) {
  (void)drv;
  pmu.cycle_start_event = (uint32_t)start_event;
}

void ETHOSU_PMU_PMCCNTR_CFG_Set_Stop_Event(struct ethosu_driver* drv,
                                           enum ethosu_pmu_event_type stop_event) {
  (void)drv;
  pmu.cycle_stop_event = (uint32_t)stop_event;
}

void ETHOSU_PMU_CYCCNT_Reset(struct ethosu_driver* drv) {
  (void)drv;
  pmu.cycle_counter_reset = 1;
}

void ETHOSU_PMU_EVCNTR_ALL_Reset(struct ethosu_driver* drv) {
  (void)drv;
  pmu.event_counters_reset = 1;
}

void ETHOSU_PMU_CNTR_Enable(struct ethosu_driver* drv, uint32_t mask) {
  (void)drv;
  pmu.counter_mask |= mask;
}

void ETHOSU_PMU_CNTR_Disable(struct ethosu_driver* drv, uint32_t mask) {
  (void)drv;
  pmu.counter_mask &= ~mask;
}

/* Counters read what the script says only for a job that finished with them enabled at its
 * start, so a test sees whether the executor programmed them. */
uint64_t ETHOSU_PMU_Get_CCNTR(struct ethosu_driver* drv) {
  (void)drv;
  return finished && (record.pmu_at_start.counter_mask & ETHOSU_PMU_CCNT_Msk) ? script.npu_cycles
                                                                              : 0;
}

uint32_t ETHOSU_PMU_Get_EVCNTR(struct ethosu_driver* drv, uint32_t num) {
  (void)drv;
  if (num >= ETHOSU_TEST_DOUBLE_COUNTERS || !finished ||
      (record.pmu_at_start.counter_mask & (1u << num)) == 0) {
    return 0;
  }
  return script.event_counts[num];
}
