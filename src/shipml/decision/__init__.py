"""Decision: calibration and thresholds fit on stored out-of-fold scores; the decision policy."""
