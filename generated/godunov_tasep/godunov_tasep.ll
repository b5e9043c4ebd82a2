; ModuleID = "godunov_tasep"
target triple = "x86_64-unknown-linux-gnu"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"

define void @"godunov_tasep"(double* noalias %"cur", double* noalias %"nxt", double* noalias %"flux0", i64 %"n0", i64 %"nsteps", double %"t0", double %"dt", double %"p_lambda") nounwind
{
entry:
  %"cur.slot" = alloca double*
  store double* %"cur", double** %"cur.slot"
  %"nxt.slot" = alloca double*
  store double* %"nxt", double** %"nxt.slot"
  %"flux0.slot" = alloca double*
  store double* %"flux0", double** %"flux0.slot"
  %"n0.slot" = alloca i64
  store i64 %"n0", i64* %"n0.slot"
  %"nsteps.slot" = alloca i64
  store i64 %"nsteps", i64* %"nsteps.slot"
  %"t0.slot" = alloca double
  store double %"t0", double* %"t0.slot"
  %"dt.slot" = alloca double
  store double %"dt", double* %"dt.slot"
  %"p_lambda.slot" = alloca double
  store double %"p_lambda", double* %"p_lambda.slot"
  %"step.slot" = alloca i64
  %"gk.slot" = alloca i64
  %"i0.slot" = alloca i64
  %"idx.slot" = alloca i64
  %"csef0_0.slot" = alloca double
  %"csef0_1.slot" = alloca double
  br label %"body"
body:
  %".18" = load i64, i64* %"nsteps.slot"
  store i64 0, i64* %"step.slot"
  br label %"step.head"
step.head:
  %".21" = load i64, i64* %"step.slot"
  %".22" = icmp slt i64 %".21", %".18"
  br i1 %".22", label %"step.body", label %"step.done"
step.body:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head"
step.done:
  ret void
gk.head:
  %".26" = load i64, i64* %"gk.slot"
  %".27" = icmp slt i64 %".26", 1
  br i1 %".27", label %"gk.body", label %"gk.done"
gk.body:
  %".29" = load double*, double** %"cur.slot"
  %".30" = load i64, i64* %"gk.slot"
  %".31" = sub i64 0, %".30"
  %".32" = getelementptr inbounds double, double* %".29", i64 %".31"
  %".33" = load double*, double** %"cur.slot"
  %".34" = load i64, i64* %"gk.slot"
  %".35" = sub i64 0, %".34"
  %".36" = load i64, i64* %"n0.slot"
  %".37" = add i64 %".35", %".36"
  %".38" = getelementptr inbounds double, double* %".33", i64 %".37"
  %".39" = load double, double* %".38"
  store double %".39", double* %".32"
  %".41" = load i64, i64* %"gk.slot"
  %".42" = add i64 %".41", 1
  store i64 %".42", i64* %"gk.slot"
  br label %"gk.head"
gk.done:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head.1"
gk.head.1:
  %".47" = load i64, i64* %"gk.slot"
  %".48" = icmp slt i64 %".47", 1
  br i1 %".48", label %"gk.body.1", label %"gk.done.1"
gk.body.1:
  %".50" = load double*, double** %"cur.slot"
  %".51" = load i64, i64* %"n0.slot"
  %".52" = add i64 1, %".51"
  %".53" = load i64, i64* %"gk.slot"
  %".54" = add i64 %".52", %".53"
  %".55" = getelementptr inbounds double, double* %".50", i64 %".54"
  %".56" = load double*, double** %"cur.slot"
  %".57" = load i64, i64* %"n0.slot"
  %".58" = add i64 1, %".57"
  %".59" = load i64, i64* %"gk.slot"
  %".60" = add i64 %".58", %".59"
  %".61" = load i64, i64* %"n0.slot"
  %".62" = sub i64 %".60", %".61"
  %".63" = getelementptr inbounds double, double* %".56", i64 %".62"
  %".64" = load double, double* %".63"
  store double %".64", double* %".55"
  %".66" = load i64, i64* %"gk.slot"
  %".67" = add i64 %".66", 1
  store i64 %".67", i64* %"gk.slot"
  br label %"gk.head.1"
gk.done.1:
  %".70" = load i64, i64* %"n0.slot"
  %".71" = add i64 %".70", 2
  store i64 1, i64* %"i0.slot"
  br label %"i0.head"
i0.head:
  %".74" = load i64, i64* %"i0.slot"
  %".75" = icmp slt i64 %".74", %".71"
  br i1 %".75", label %"i0.body", label %"i0.done"
i0.body:
  %".77" = load i64, i64* %"i0.slot"
  store i64 %".77", i64* %"idx.slot"
  %".79" = load double*, double** %"cur.slot"
  %".80" = load i64, i64* %"idx.slot"
  %".81" = getelementptr inbounds double, double* %".79", i64 %".80"
  %".82" = load double, double* %".81"
  %".83" = fcmp ogt double 0x3fe0000000000000, %".82"
  %".84" = select  i1 %".83", double 0x3fe0000000000000, double %".82"
  store double %".84", double* %"csef0_0.slot"
  %".86" = load double*, double** %"cur.slot"
  %".87" = load i64, i64* %"idx.slot"
  %".88" = sub i64 %".87", 1
  %".89" = getelementptr inbounds double, double* %".86", i64 %".88"
  %".90" = load double, double* %".89"
  %".91" = fcmp olt double 0x3fe0000000000000, %".90"
  %".92" = select  i1 %".91", double 0x3fe0000000000000, double %".90"
  store double %".92", double* %"csef0_1.slot"
  %".94" = load double*, double** %"flux0.slot"
  %".95" = load i64, i64* %"idx.slot"
  %".96" = getelementptr inbounds double, double* %".94", i64 %".95"
  %".97" = load double, double* %"p_lambda.slot"
  %".98" = load double, double* %"csef0_0.slot"
  %".99" = load double, double* %"csef0_0.slot"
  %".100" = load double, double* %"csef0_0.slot"
  %".101" = fmul double %".99", %".100"
  %".102" = fsub double %".98", %".101"
  %".103" = load double, double* %"csef0_1.slot"
  %".104" = load double, double* %"csef0_1.slot"
  %".105" = load double, double* %"csef0_1.slot"
  %".106" = fmul double %".104", %".105"
  %".107" = fsub double %".103", %".106"
  %".108" = fcmp olt double %".102", %".107"
  %".109" = select  i1 %".108", double %".102", double %".107"
  %".110" = fmul double %".97", %".109"
  store double %".110", double* %".96"
  %".112" = load i64, i64* %"i0.slot"
  %".113" = add i64 %".112", 1
  store i64 %".113", i64* %"i0.slot"
  br label %"i0.head"
i0.done:
  %".116" = load i64, i64* %"n0.slot"
  %".117" = add i64 %".116", 1
  store i64 1, i64* %"i0.slot"
  br label %"i0.head.1"
i0.head.1:
  %".120" = load i64, i64* %"i0.slot"
  %".121" = icmp slt i64 %".120", %".117"
  br i1 %".121", label %"i0.body.1", label %"i0.done.1"
i0.body.1:
  %".123" = load i64, i64* %"i0.slot"
  store i64 %".123", i64* %"idx.slot"
  %".125" = load double*, double** %"nxt.slot"
  %".126" = load i64, i64* %"idx.slot"
  %".127" = getelementptr inbounds double, double* %".125", i64 %".126"
  %".128" = load double*, double** %"flux0.slot"
  %".129" = load i64, i64* %"idx.slot"
  %".130" = getelementptr inbounds double, double* %".128", i64 %".129"
  %".131" = load double, double* %".130"
  %".132" = load double*, double** %"cur.slot"
  %".133" = load i64, i64* %"idx.slot"
  %".134" = getelementptr inbounds double, double* %".132", i64 %".133"
  %".135" = load double, double* %".134"
  %".136" = fadd double %".131", %".135"
  %".137" = load double*, double** %"flux0.slot"
  %".138" = load i64, i64* %"idx.slot"
  %".139" = add i64 %".138", 1
  %".140" = getelementptr inbounds double, double* %".137", i64 %".139"
  %".141" = load double, double* %".140"
  %".142" = fsub double %".136", %".141"
  store double %".142", double* %".127"
  %".144" = load i64, i64* %"i0.slot"
  %".145" = add i64 %".144", 1
  store i64 %".145", i64* %"i0.slot"
  br label %"i0.head.1"
i0.done.1:
  %".148" = load double*, double** %"cur.slot"
  %".149" = load double*, double** %"nxt.slot"
  store double* %".149", double** %"cur.slot"
  store double* %".148", double** %"nxt.slot"
  %".152" = load i64, i64* %"step.slot"
  %".153" = add i64 %".152", 1
  store i64 %".153", i64* %"step.slot"
  br label %"step.head"
}
