/** The version of the Sightglass packages; reported as the OTel meter (scope) version. */
export const SIGHTGLASS_VERSION = '0.1.0';
