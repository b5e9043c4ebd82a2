; ModuleID = "advection_diffusion_2d"
target triple = "x86_64-unknown-linux-gnu"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"

define void @"advection_diffusion_2d"(double* noalias %"cur", double* noalias %"nxt", i64 %"n0", i64 %"n1", i64 %"nsteps", double %"t0", double %"dt", double %"nu_x", double %"nu_y", double %"r_x", double %"r_y") nounwind
{
entry:
  %"cur.slot" = alloca double*
  store double* %"cur", double** %"cur.slot"
  %"nxt.slot" = alloca double*
  store double* %"nxt", double** %"nxt.slot"
  %"n0.slot" = alloca i64
  store i64 %"n0", i64* %"n0.slot"
  %"n1.slot" = alloca i64
  store i64 %"n1", i64* %"n1.slot"
  %"nsteps.slot" = alloca i64
  store i64 %"nsteps", i64* %"nsteps.slot"
  %"t0.slot" = alloca double
  store double %"t0", double* %"t0.slot"
  %"dt.slot" = alloca double
  store double %"dt", double* %"dt.slot"
  %"nu_x.slot" = alloca double
  store double %"nu_x", double* %"nu_x.slot"
  %"nu_y.slot" = alloca double
  store double %"nu_y", double* %"nu_y.slot"
  %"r_x.slot" = alloca double
  store double %"r_x", double* %"r_x.slot"
  %"r_y.slot" = alloca double
  store double %"r_y", double* %"r_y.slot"
  %"S0.slot" = alloca i64
  %"step.slot" = alloca i64
  %"gk.slot" = alloca i64
  %"g1.slot" = alloca i64
  %"g0.slot" = alloca i64
  %"i0.slot" = alloca i64
  %"b0.slot" = alloca i64
  %"i1.slot" = alloca i64
  %"idx.slot" = alloca i64
  %"cseu_0.slot" = alloca double
  %"cseu_1.slot" = alloca double
  br label %"body"
body:
  %".24" = load i64, i64* %"n1.slot"
  %".25" = add i64 %".24", 2
  store i64 %".25", i64* %"S0.slot"
  %".27" = load i64, i64* %"nsteps.slot"
  store i64 0, i64* %"step.slot"
  br label %"step.head"
step.head:
  %".30" = load i64, i64* %"step.slot"
  %".31" = icmp slt i64 %".30", %".27"
  br i1 %".31", label %"step.body", label %"step.done"
step.body:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head"
step.done:
  ret void
gk.head:
  %".35" = load i64, i64* %"gk.slot"
  %".36" = icmp slt i64 %".35", 1
  br i1 %".36", label %"gk.body", label %"gk.done"
gk.body:
  %".38" = load i64, i64* %"n1.slot"
  %".39" = add i64 %".38", 1
  store i64 1, i64* %"g1.slot"
  br label %"g1.head"
gk.done:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head.1"
g1.head:
  %".42" = load i64, i64* %"g1.slot"
  %".43" = icmp slt i64 %".42", %".39"
  br i1 %".43", label %"g1.body", label %"g1.done"
g1.body:
  %".45" = load double*, double** %"cur.slot"
  %".46" = load i64, i64* %"gk.slot"
  %".47" = sub i64 0, %".46"
  %".48" = load i64, i64* %"S0.slot"
  %".49" = mul i64 %".47", %".48"
  %".50" = load i64, i64* %"g1.slot"
  %".51" = add i64 %".49", %".50"
  %".52" = getelementptr inbounds double, double* %".45", i64 %".51"
  %".53" = load double*, double** %"cur.slot"
  %".54" = load i64, i64* %"gk.slot"
  %".55" = sub i64 0, %".54"
  %".56" = load i64, i64* %"n0.slot"
  %".57" = add i64 %".55", %".56"
  %".58" = load i64, i64* %"S0.slot"
  %".59" = mul i64 %".57", %".58"
  %".60" = load i64, i64* %"g1.slot"
  %".61" = add i64 %".59", %".60"
  %".62" = getelementptr inbounds double, double* %".53", i64 %".61"
  %".63" = load double, double* %".62"
  store double %".63", double* %".52"
  %".65" = load i64, i64* %"g1.slot"
  %".66" = add i64 %".65", 1
  store i64 %".66", i64* %"g1.slot"
  br label %"g1.head"
g1.done:
  %".69" = load i64, i64* %"gk.slot"
  %".70" = add i64 %".69", 1
  store i64 %".70", i64* %"gk.slot"
  br label %"gk.head"
gk.head.1:
  %".75" = load i64, i64* %"gk.slot"
  %".76" = icmp slt i64 %".75", 1
  br i1 %".76", label %"gk.body.1", label %"gk.done.1"
gk.body.1:
  %".78" = load i64, i64* %"n1.slot"
  %".79" = add i64 %".78", 1
  store i64 1, i64* %"g1.slot"
  br label %"g1.head.1"
gk.done.1:
  %".117" = load i64, i64* %"n0.slot"
  %".118" = add i64 %".117", 2
  store i64 0, i64* %"g0.slot"
  br label %"g0.head"
g1.head.1:
  %".82" = load i64, i64* %"g1.slot"
  %".83" = icmp slt i64 %".82", %".79"
  br i1 %".83", label %"g1.body.1", label %"g1.done.1"
g1.body.1:
  %".85" = load double*, double** %"cur.slot"
  %".86" = load i64, i64* %"n0.slot"
  %".87" = add i64 1, %".86"
  %".88" = load i64, i64* %"gk.slot"
  %".89" = add i64 %".87", %".88"
  %".90" = load i64, i64* %"S0.slot"
  %".91" = mul i64 %".89", %".90"
  %".92" = load i64, i64* %"g1.slot"
  %".93" = add i64 %".91", %".92"
  %".94" = getelementptr inbounds double, double* %".85", i64 %".93"
  %".95" = load double*, double** %"cur.slot"
  %".96" = load i64, i64* %"n0.slot"
  %".97" = add i64 1, %".96"
  %".98" = load i64, i64* %"gk.slot"
  %".99" = add i64 %".97", %".98"
  %".100" = load i64, i64* %"n0.slot"
  %".101" = sub i64 %".99", %".100"
  %".102" = load i64, i64* %"S0.slot"
  %".103" = mul i64 %".101", %".102"
  %".104" = load i64, i64* %"g1.slot"
  %".105" = add i64 %".103", %".104"
  %".106" = getelementptr inbounds double, double* %".95", i64 %".105"
  %".107" = load double, double* %".106"
  store double %".107", double* %".94"
  %".109" = load i64, i64* %"g1.slot"
  %".110" = add i64 %".109", 1
  store i64 %".110", i64* %"g1.slot"
  br label %"g1.head.1"
g1.done.1:
  %".113" = load i64, i64* %"gk.slot"
  %".114" = add i64 %".113", 1
  store i64 %".114", i64* %"gk.slot"
  br label %"gk.head.1"
g0.head:
  %".121" = load i64, i64* %"g0.slot"
  %".122" = icmp slt i64 %".121", %".118"
  br i1 %".122", label %"g0.body", label %"g0.done"
g0.body:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head.2"
g0.done:
  %".157" = load i64, i64* %"n0.slot"
  %".158" = add i64 %".157", 2
  store i64 0, i64* %"g0.slot"
  br label %"g0.head.1"
gk.head.2:
  %".126" = load i64, i64* %"gk.slot"
  %".127" = icmp slt i64 %".126", 1
  br i1 %".127", label %"gk.body.2", label %"gk.done.2"
gk.body.2:
  %".129" = load double*, double** %"cur.slot"
  %".130" = load i64, i64* %"g0.slot"
  %".131" = load i64, i64* %"S0.slot"
  %".132" = mul i64 %".130", %".131"
  %".133" = load i64, i64* %"gk.slot"
  %".134" = sub i64 0, %".133"
  %".135" = add i64 %".132", %".134"
  %".136" = getelementptr inbounds double, double* %".129", i64 %".135"
  %".137" = load double*, double** %"cur.slot"
  %".138" = load i64, i64* %"g0.slot"
  %".139" = load i64, i64* %"S0.slot"
  %".140" = mul i64 %".138", %".139"
  %".141" = load i64, i64* %"gk.slot"
  %".142" = sub i64 0, %".141"
  %".143" = load i64, i64* %"n1.slot"
  %".144" = add i64 %".142", %".143"
  %".145" = add i64 %".140", %".144"
  %".146" = getelementptr inbounds double, double* %".137", i64 %".145"
  %".147" = load double, double* %".146"
  store double %".147", double* %".136"
  %".149" = load i64, i64* %"gk.slot"
  %".150" = add i64 %".149", 1
  store i64 %".150", i64* %"gk.slot"
  br label %"gk.head.2"
gk.done.2:
  %".153" = load i64, i64* %"g0.slot"
  %".154" = add i64 %".153", 1
  store i64 %".154", i64* %"g0.slot"
  br label %"g0.head"
g0.head.1:
  %".161" = load i64, i64* %"g0.slot"
  %".162" = icmp slt i64 %".161", %".158"
  br i1 %".162", label %"g0.body.1", label %"g0.done.1"
g0.body.1:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head.3"
g0.done.1:
  %".201" = load i64, i64* %"n0.slot"
  %".202" = add i64 %".201", 1
  store i64 1, i64* %"i0.slot"
  br label %"i0.head"
gk.head.3:
  %".166" = load i64, i64* %"gk.slot"
  %".167" = icmp slt i64 %".166", 1
  br i1 %".167", label %"gk.body.3", label %"gk.done.3"
gk.body.3:
  %".169" = load double*, double** %"cur.slot"
  %".170" = load i64, i64* %"g0.slot"
  %".171" = load i64, i64* %"S0.slot"
  %".172" = mul i64 %".170", %".171"
  %".173" = load i64, i64* %"n1.slot"
  %".174" = add i64 1, %".173"
  %".175" = load i64, i64* %"gk.slot"
  %".176" = add i64 %".174", %".175"
  %".177" = add i64 %".172", %".176"
  %".178" = getelementptr inbounds double, double* %".169", i64 %".177"
  %".179" = load double*, double** %"cur.slot"
  %".180" = load i64, i64* %"g0.slot"
  %".181" = load i64, i64* %"S0.slot"
  %".182" = mul i64 %".180", %".181"
  %".183" = load i64, i64* %"n1.slot"
  %".184" = add i64 1, %".183"
  %".185" = load i64, i64* %"gk.slot"
  %".186" = add i64 %".184", %".185"
  %".187" = load i64, i64* %"n1.slot"
  %".188" = sub i64 %".186", %".187"
  %".189" = add i64 %".182", %".188"
  %".190" = getelementptr inbounds double, double* %".179", i64 %".189"
  %".191" = load double, double* %".190"
  store double %".191", double* %".178"
  %".193" = load i64, i64* %"gk.slot"
  %".194" = add i64 %".193", 1
  store i64 %".194", i64* %"gk.slot"
  br label %"gk.head.3"
gk.done.3:
  %".197" = load i64, i64* %"g0.slot"
  %".198" = add i64 %".197", 1
  store i64 %".198", i64* %"g0.slot"
  br label %"g0.head.1"
i0.head:
  %".205" = load i64, i64* %"i0.slot"
  %".206" = icmp slt i64 %".205", %".202"
  br i1 %".206", label %"i0.body", label %"i0.done"
i0.body:
  %".208" = load i64, i64* %"i0.slot"
  %".209" = load i64, i64* %"S0.slot"
  %".210" = mul i64 %".208", %".209"
  store i64 %".210", i64* %"b0.slot"
  %".212" = load i64, i64* %"n1.slot"
  %".213" = add i64 %".212", 1
  store i64 1, i64* %"i1.slot"
  br label %"i1.head"
i0.done:
  %".308" = load double*, double** %"cur.slot"
  %".309" = load double*, double** %"nxt.slot"
  store double* %".309", double** %"cur.slot"
  store double* %".308", double** %"nxt.slot"
  %".312" = load i64, i64* %"step.slot"
  %".313" = add i64 %".312", 1
  store i64 %".313", i64* %"step.slot"
  br label %"step.head"
i1.head:
  %".216" = load i64, i64* %"i1.slot"
  %".217" = icmp slt i64 %".216", %".213"
  br i1 %".217", label %"i1.body", label %"i1.done"
i1.body:
  %".219" = load i64, i64* %"b0.slot"
  %".220" = load i64, i64* %"i1.slot"
  %".221" = add i64 %".219", %".220"
  store i64 %".221", i64* %"idx.slot"
  %".223" = load double*, double** %"cur.slot"
  %".224" = load i64, i64* %"idx.slot"
  %".225" = getelementptr inbounds double, double* %".223", i64 %".224"
  %".226" = load double, double* %".225"
  %".227" = fmul double 0xbff0000000000000, %".226"
  store double %".227", double* %"cseu_0.slot"
  %".229" = load double*, double** %"cur.slot"
  %".230" = load i64, i64* %"idx.slot"
  %".231" = getelementptr inbounds double, double* %".229", i64 %".230"
  %".232" = load double, double* %".231"
  %".233" = fmul double 0xc000000000000000, %".232"
  store double %".233", double* %"cseu_1.slot"
  %".235" = load double*, double** %"nxt.slot"
  %".236" = load i64, i64* %"idx.slot"
  %".237" = getelementptr inbounds double, double* %".235", i64 %".236"
  %".238" = load double, double* %"r_x.slot"
  %".239" = load double, double* %"cseu_1.slot"
  %".240" = load double*, double** %"cur.slot"
  %".241" = load i64, i64* %"idx.slot"
  %".242" = load i64, i64* %"S0.slot"
  %".243" = add i64 %".241", %".242"
  %".244" = getelementptr inbounds double, double* %".240", i64 %".243"
  %".245" = load double, double* %".244"
  %".246" = fadd double %".239", %".245"
  %".247" = load double*, double** %"cur.slot"
  %".248" = load i64, i64* %"idx.slot"
  %".249" = load i64, i64* %"S0.slot"
  %".250" = sub i64 %".248", %".249"
  %".251" = getelementptr inbounds double, double* %".247", i64 %".250"
  %".252" = load double, double* %".251"
  %".253" = fadd double %".246", %".252"
  %".254" = fmul double %".238", %".253"
  %".255" = load double, double* %"r_y.slot"
  %".256" = load double, double* %"cseu_1.slot"
  %".257" = load double*, double** %"cur.slot"
  %".258" = load i64, i64* %"idx.slot"
  %".259" = add i64 %".258", 1
  %".260" = getelementptr inbounds double, double* %".257", i64 %".259"
  %".261" = load double, double* %".260"
  %".262" = fadd double %".256", %".261"
  %".263" = load double*, double** %"cur.slot"
  %".264" = load i64, i64* %"idx.slot"
  %".265" = sub i64 %".264", 1
  %".266" = getelementptr inbounds double, double* %".263", i64 %".265"
  %".267" = load double, double* %".266"
  %".268" = fadd double %".262", %".267"
  %".269" = fmul double %".255", %".268"
  %".270" = fadd double %".254", %".269"
  %".271" = load double*, double** %"cur.slot"
  %".272" = load i64, i64* %"idx.slot"
  %".273" = getelementptr inbounds double, double* %".271", i64 %".272"
  %".274" = load double, double* %".273"
  %".275" = fadd double %".270", %".274"
  %".276" = load double, double* %"nu_x.slot"
  %".277" = load double, double* %"cseu_0.slot"
  %".278" = fneg double %".277"
  %".279" = load double*, double** %"cur.slot"
  %".280" = load i64, i64* %"idx.slot"
  %".281" = load i64, i64* %"S0.slot"
  %".282" = sub i64 %".280", %".281"
  %".283" = getelementptr inbounds double, double* %".279", i64 %".282"
  %".284" = load double, double* %".283"
  %".285" = fsub double %".278", %".284"
  %".286" = fmul double %".276", %".285"
  %".287" = fsub double %".275", %".286"
  %".288" = load double, double* %"nu_y.slot"
  %".289" = load double, double* %"cseu_0.slot"
  %".290" = fneg double %".289"
  %".291" = load double*, double** %"cur.slot"
  %".292" = load i64, i64* %"idx.slot"
  %".293" = sub i64 %".292", 1
  %".294" = getelementptr inbounds double, double* %".291", i64 %".293"
  %".295" = load double, double* %".294"
  %".296" = fsub double %".290", %".295"
  %".297" = fmul double %".288", %".296"
  %".298" = fsub double %".287", %".297"
  store double %".298", double* %".237"
  %".300" = load i64, i64* %"i1.slot"
  %".301" = add i64 %".300", 1
  store i64 %".301", i64* %"i1.slot"
  br label %"i1.head"
i1.done:
  %".304" = load i64, i64* %"i0.slot"
  %".305" = add i64 %".304", 1
  store i64 %".305", i64* %"i0.slot"
  br label %"i0.head"
}
