/**
 * A base class for switch drivers ({@link net.sessionmigration.api.driver.AccessPortSwitcher})
 * whose devices are read and written per device: it owns the contract (read before write, verify
 * by reading back, report what moved, stateless restore) so that a vendor driver writes only how
 * its device reads and writes a port's VLAN. Plain Java; imports nothing at run time.
 */
@Version("0.1.0")
package net.sessionmigration.api.driver.base;

import org.osgi.annotation.versioning.Version;
