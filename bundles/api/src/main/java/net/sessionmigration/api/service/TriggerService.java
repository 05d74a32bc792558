package net.sessionmigration.api.service;

import java.util.List;

/** The automatic inputs (SNMP traps, load polling): their counters and rules, for the shell and JMX. */
public interface TriggerService {

    TrapStatistics statistics();

    List<TriggerRuleStatus> rules();
}
