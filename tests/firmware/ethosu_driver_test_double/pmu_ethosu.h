/* Test double of ethos-u-core-driver's pmu_ethosu.h: the PMU functions the executor calls, and the
 * Ethos-U55/U65 event numbers it names (values as in the driver's ethosu_pmu_event_type). */
#ifndef INFERD_TESTS_ETHOSU_DRIVER_TEST_DOUBLE_PMU_ETHOSU_H_
#define INFERD_TESTS_ETHOSU_DRIVER_TEST_DOUBLE_PMU_ETHOSU_H_

#include <stdint.h>

#include "ethosu_driver.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHOSU_PMU_NCOUNTERS 4
#define ETHOSU_PMU_CCNT_Msk (1UL << 31)

enum ethosu_pmu_event_type {
  ETHOSU_PMU_NO_EVENT = 0,
  ETHOSU_PMU_CYCLE = 1,
  ETHOSU_PMU_NPU_IDLE = 2,
  ETHOSU_PMU_NPU_ACTIVE = 5,
  ETHOSU_PMU_MAC_ACTIVE = 6,
  ETHOSU_PMU_AXI0_RD_DATA_BEAT_RECEIVED = 40,
  ETHOSU_PMU_SENTINEL = 74
};

void ETHOSU_PMU_Enable(struct ethosu_driver* drv);
void ETHOSU_PMU_Disable(struct ethosu_driver* drv);
uint32_t ETHOSU_PMU_Get_NumEventCounters(void);
void ETHOSU_PMU_Set_EVTYPER(struct ethosu_driver* drv, uint32_t num,
                            enum ethosu_pmu_event_type type);
void ETHOSU_PMU_PMCCNTR_CFG_Set_Start_Event(struct ethosu_driver* drv,
                                            enum ethosu_pmu_event_type start_event);
void ETHOSU_PMU_PMCCNTR_CFG_Set_Stop_Event(struct ethosu_driver* drv,
                                           enum ethosu_pmu_event_type stop_event);
void ETHOSU_PMU_CYCCNT_Reset(struct ethosu_driver* drv);
void ETHOSU_PMU_EVCNTR_ALL_Reset(struct ethosu_driver* drv);
void ETHOSU_PMU_CNTR_Enable(struct ethosu_driver* drv, uint32_t mask);
void ETHOSU_PMU_CNTR_Disable(struct ethosu_driver* drv, uint32_t mask);
uint64_t ETHOSU_PMU_Get_CCNTR(struct ethosu_driver* drv);
uint32_t ETHOSU_PMU_Get_EVCNTR(struct ethosu_driver* drv, uint32_t num);

#ifdef __cplusplus
}
#endif

#endif /* INFERD_TESTS_ETHOSU_DRIVER_TEST_DOUBLE_PMU_ETHOSU_H_ */
