/**
 * The charging data record as billing systems receive it, its encoding, and the JMS contract
 * (destinations, message properties) between the CDF and the billing connectors / billing systems.
 * Plain Java: no JMS, JPA or protocol types, so every tier and every billing-system client can use it.
 */
package org.sipcharge.cdr;
