/** Immutable domain values: plans, workloads, access ports, VLANs, steps and results. */
package net.sessionmigration.api.model;
